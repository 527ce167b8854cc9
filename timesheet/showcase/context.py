"""What a demo step gets: the in-memory Notion holding the demo week, and where to write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from notion_client import NotionClient
from notion_client.fake import FakeNotion

__all__ = ["ShowcaseContext"]


@dataclass
class ShowcaseContext:
    """The demo's world after it recorded week 2026-W47 (5 clients, one timer running)."""

    client: NotionClient  # our client, connected to the fake
    fake: FakeNotion
    parent_page_id: str  # a page the integration can create databases under
    database_id: str  # the entries database, holding the demo week
    data_dir: Path  # a fresh DATA_DIR for a Ledger
    tz: ZoneInfo  # Europe/London
    now: datetime  # Fri 20 Nov 2026 17:30 Europe/London (week 2026-W47)
    user_id: str  # the demo user's Discord id
    out_dir: Path  # where files the demo writes go
    stdout: TextIO
