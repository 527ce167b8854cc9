"""Fixtures shared by the test modules: a temporary ledger; the engine on the in-memory Notion."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from trackerkit import TrackerEnv, tracker_env

from timesheet.tracking.ledger import Ledger


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    """A fresh ledger in a temporary DATA_DIR (``tmp_path / "data"``)."""
    with Ledger.in_dir(tmp_path / "data") as opened:
        yield opened


@pytest.fixture
async def engine_env(tmp_path: Path) -> AsyncIterator[TrackerEnv]:
    """A `TrackerEnv` (clients Acme and Globex): its ``engine`` applies what tests record in
    its ``ledger`` to the in-memory Notion."""
    async with tracker_env(TrackerEnv, tmp_path, ("Acme", "Globex")) as env:
        yield env
