"""What goes wrong with targets, each ``str()`` the one line to show.

TargetsError
├── InvalidTarget      bad hours or week typed, or no Targets database configured
└── TargetsNotReady    Notion can't find the Targets database, or it lacks properties
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["InvalidTarget", "TargetsError", "TargetsNotReady"]


class TargetsError(Exception):
    """A targets command that can't be done; ``str()`` is the one line to show."""


class InvalidTarget(TargetsError, ValueError):
    """An hours or week argument `target set`/`show` can't use, or targets not set up."""


class TargetsNotReady(TargetsError):
    """The Targets database can't be used: not shared with the integration (``problems``
    empty), or missing properties / properties of another type (``problems``)."""

    def __init__(self, problems: Sequence[str] = ()) -> None:
        self.problems = tuple(problems)
        if self.problems:
            listed = "; ".join(self.problems)
            text = f"The Targets database is not ready: {listed}. Fix it in Notion."
        else:
            text = (
                "Notion can't find NOTION_TARGETS_DATABASE_ID: share that database with the "
                "integration (⋯ → Connections)."
            )
        super().__init__(text)
