"""The bot under test and the in-memory Notion it writes to: environment, pages, log lines."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from botkit import BotHarness, Clock
from notionkit import timesheet_notion

from bot.logs import COMMAND_LOGGER
from notion_client import Page
from notion_client.fake import FakeNotion
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import from_page

__all__ = ["World", "command_lines", "new_world", "wait_entries", "wait_lines"]


@dataclass
class World:
    """An in-memory Notion holding the time-entries database, and how to start a bot on it."""

    fake: FakeNotion
    database_id: str
    data_source_id: str
    token: str

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "NOTION_TOKEN": self.token,
            "NOTION_DATABASE_ID": self.database_id,
            "TIMEZONE": "Europe/London",
            "PRESET_CLIENTS": "Acme,Globex",
            **extra,
        }

    def entries(self) -> list[TimeEntry]:
        """Every time entry in Notion, oldest start first."""
        pages = [from_page(Page.from_json(raw)) for raw in self.fake.pages(self.data_source_id)]
        return sorted(pages, key=lambda e: e.start)

    def writes(self) -> int:
        return self.fake.requests["create_page"] + self.fake.requests["update_page"]

    def harness(self, clock: Clock | None = None, **extra: str) -> BotHarness:
        return BotHarness(self.env(**extra), transport=self.fake.transport(), clock=clock)


def new_world(clients: Sequence[str], token: str) -> World:
    """A fresh in-memory Notion whose database offers ``clients`` as Client options."""
    fake, database_id, data_source_id = timesheet_notion(tuple(clients), token=token)
    return World(fake, database_id, data_source_id, token)


def command_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The structured command log lines captured so far."""
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == COMMAND_LOGGER]


async def wait_lines(caplog: pytest.LogCaptureFixture, count: int) -> list[dict[str, Any]]:
    """The log line is written just after the reply is sent: give the bot a moment."""
    for _ in range(200):
        lines = command_lines(caplog)
        if len(lines) >= count:
            return lines
        await asyncio.sleep(0.005)
    raise AssertionError(f"expected {count} command log lines, got {command_lines(caplog)}")


async def wait_entries(world: World, done: Callable[[list[TimeEntry]], bool]) -> list[TimeEntry]:
    """The outbox replayer writes in the background: wait (at most 5 s) for Notion to agree."""
    for _ in range(500):
        entries = world.entries()
        if done(entries):
            return entries
        await asyncio.sleep(0.01)
    raise AssertionError(f"Notion never got there: {world.entries()}")
