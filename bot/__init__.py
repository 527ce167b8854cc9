"""The Discord layer of timetrack (hikari + crescent) and the ``timetrack`` command.

Nothing is imported here, so ``timetrack demo`` and ``--help`` start without hikari.
"""

from __future__ import annotations

__all__: list[str] = []
