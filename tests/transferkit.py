"""Test kit for import, export and backup: runs ``timetrack`` in process against a served
in-memory Notion (`clikit`), and a small week of entries to move around."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from clikit import Notion
from notionkit import BOB, make_entry, seed_entry

from bot.cli import main
from timesheet.entries.model import TimeEntry

__all__ = ["MONDAY", "Term", "comparable", "seed_week"]

#: Monday 16 November 2026 (2026-W47), 09:00 in London (GMT).
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


class Term:
    """Runs ``timetrack`` commands on one served Notion; what they printed and asked."""

    def __init__(self, notion: Notion, capsys: pytest.CaptureFixture[str]) -> None:
        self.notion = notion
        self.capsys = capsys
        self.requests: Counter[str] = Counter()

    def run(self, *argv: str, **env: str) -> tuple[int, str, str]:
        before = Counter(self.notion.fake.requests)
        code = main(list(argv), self.notion.env(**env))
        self.requests = Counter(self.notion.fake.requests) - before
        out, err = self.capsys.readouterr()
        return code, out, err

    def ok(self, *argv: str, **env: str) -> str:
        code, out, err = self.run(*argv, **env)
        assert code == 0, (out, err)
        return out

    def refused(self, *argv: str, **env: str) -> str:
        """The one line a refused command printed; nothing written to Notion."""
        pages = self.pages()
        code, out, err = self.run(*argv, **env)
        assert (code, out) == (1, ""), (out, err)
        assert err.startswith("timetrack: ") and err.count("\n") == 1, err
        assert self.pages() == pages
        assert not self.requests["create_page"] and not self.requests["update_page"]
        return err.removeprefix("timetrack: ").rstrip("\n")

    def pages(self) -> list[dict[str, Any]]:
        return self.notion.fake.pages(self.notion.data_source_id, include_trashed=True)


def seed_week(notion: Notion) -> list[TimeEntry]:
    """Eight ended entries of week 2026-W47 for two users: notes, a paused one, a name that
    looks like a formula, one across midnight, one with no client."""
    h = timedelta(hours=1)
    entries = [
        make_entry(1, start=MONDAY, end=MONDAY + 2 * h, note="kick-off\nsecond line"),
        make_entry(2, client="Globex", start=MONDAY + 3 * h, end=MONDAY + 4.5 * h),
        make_entry(3, name="=HYPERLINK(1)", start=MONDAY + 24 * h, end=MONDAY + 26 * h),
        make_entry(4, client="Initech", start=MONDAY + 36 * h, end=MONDAY + 40 * h),
        make_entry(5, user=BOB, start=MONDAY + h, end=MONDAY + 3 * h, note="café, “quoted”"),
        make_entry(
            6, user=BOB, client="", name="Reading", start=MONDAY + 50 * h, end=MONDAY + 51 * h
        ),
        make_entry(7, start=MONDAY + 72 * h, end=MONDAY + 73.25 * h),
        make_entry(8, client="Globex", start=MONDAY + 96 * h, end=MONDAY + 97 * h),
    ]
    entries[6] = TimeEntry(**{**_fields(entries[6]), "paused": True})
    for e in entries:
        seed_entry(notion.fake, notion.data_source_id, e)
    return entries


def _fields(e: TimeEntry) -> dict[str, Any]:
    return {f: getattr(e, f) for f in e.__slots__ if f not in ("edited_at", "created_at")}


def comparable(entries: list[TimeEntry]) -> list[tuple[Any, ...]]:
    """Entries as the same entries in another database compare: every field but the page."""
    return sorted(
        (e.entry_id, e.user_id, e.client, e.name, e.note, e.start, e.end, e.paused) for e in entries
    )
