"""The terminal against the in-memory Notion: `ServedNotion` serves a fake over HTTP from a
background thread, so `bot.cli.main` runs in the test's process; `Notion` is what a test of a
``timetrack`` command looks at (its environment, the fake, the entries in it). The ``notion``
fixture (conftest) gives one on a fresh timesheet with `PRESETS` and an empty DATA_DIR."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from notionkit import timesheet_notion

from notion_client import Page
from notion_client.fake import FakeNotion
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import from_page

__all__ = ["PRESETS", "TOKEN", "USER", "Notion", "ServedNotion", "served_timesheet"]

TOKEN: Final = "secret_cli_token"
#: TIMETRACK_USER of every command.
USER: Final = "100000000000000001"
PRESETS: Final = ("Acme", "Globex")


class ServedNotion:
    """The in-memory Notion served over HTTP from a background thread, for in-process `main`."""

    def __init__(self, fake: FakeNotion) -> None:
        self.fake = fake
        self.base_url = ""
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with self.fake.serve() as base_url:
            self.base_url = base_url
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> ServedNotion:
        self._thread.start()
        assert self._ready.wait(10)
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


class Notion:
    def __init__(
        self, served: ServedNotion, database_id: str, data_source_id: str, data_dir: Path
    ) -> None:
        self.data_dir = data_dir
        self.served = served
        self.fake = served.fake
        self.database_id = database_id
        self.data_source_id = data_source_id

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "NOTION_TOKEN": TOKEN,
            "NOTION_DATABASE_ID": self.database_id,
            "NOTION_BASE_URL": self.served.base_url,
            "TIMETRACK_USER": USER,
            "TIMEZONE": "Europe/London",
            "PRESET_CLIENTS": "Acme,Globex",
            "DATA_DIR": str(self.data_dir),
            **extra,
        }

    def entries(self) -> list[TimeEntry]:
        pages = [from_page(Page.from_json(raw)) for raw in self.fake.pages(self.data_source_id)]
        return sorted(pages, key=lambda e: e.start)


@contextmanager
def served_timesheet(data_dir: Path) -> Iterator[Notion]:
    """A fresh `timesheet_notion` with `PRESETS`, served; commands keep their ledger in
    ``data_dir``."""
    fake, database_id, data_source_id = timesheet_notion(PRESETS, token=TOKEN)
    with ServedNotion(fake) as served:
        yield Notion(served, database_id, data_source_id, data_dir)
