"""Fixtures shared by the test modules: a temporary ledger, and the tracker and engine on the
in-memory Notion with a ledger on disk."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from trackerkit import PRESETS, TrackerEnv, tracker_env

from timesheet.tracking.ledger import Ledger


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    """A fresh ledger in a temporary DATA_DIR (``tmp_path / "data"``)."""
    with Ledger.in_dir(tmp_path / "data") as opened:
        yield opened


@pytest.fixture
async def ledger_env(tmp_path: Path) -> AsyncIterator[TrackerEnv]:
    """A `TrackerEnv` on `PRESETS`: the tracker and its engine on the in-memory Notion, the
    ledger on disk (tests record in ``ledger`` and apply with ``engine``, or go through
    ``tracker``)."""
    async with tracker_env(TrackerEnv, tmp_path, PRESETS) as env:
        yield env
