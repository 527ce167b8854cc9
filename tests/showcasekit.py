"""Run one `timetrack demo` step (timesheet/showcase/) against an in-memory Notion and get
what it printed: the one way the showcase tests build its context."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from notionkit import ALICE

from notion_client import NotionClient
from notion_client.fake import FakeNotion
from timesheet.showcase.context import ShowcaseContext

__all__ = ["DEMO_NOW", "LONDON", "run_step"]

LONDON = ZoneInfo("Europe/London")
#: The demo's "now": Friday of week 2026-W47, 17:30 in London.
DEMO_NOW = datetime(2026, 11, 20, 17, 30, tzinfo=LONDON)


async def run_step(
    step: Callable[[ShowcaseContext], Awaitable[None]],
    client: NotionClient,
    fake: FakeNotion,
    database_id: str,
    tmp_path: Path,
    *,
    parent_page_id: str = "",
    user_id: str = ALICE,
    out_dir: Path | None = None,
) -> str:
    """Run ``step`` at `DEMO_NOW` in London, its DATA_DIR ``tmp_path/data``, its files in
    ``out_dir`` (default ``tmp_path/out``); what it printed."""
    out = io.StringIO()
    await step(
        ShowcaseContext(
            client=client,
            fake=fake,
            parent_page_id=parent_page_id,
            database_id=database_id,
            data_dir=tmp_path / "data",
            tz=LONDON,
            now=DEMO_NOW,
            user_id=user_id,
            out_dir=tmp_path / "out" if out_dir is None else out_dir,
            stdout=out,
        )
    )
    return out.getvalue()
