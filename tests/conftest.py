"""Fixtures shared by the test modules: a temporary ledger, the tracker and engine on the
in-memory Notion with a ledger on disk, the bot on a module's in-memory Notion, and the
in-memory Notion served over HTTP for ``timetrack`` commands run in process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from trackerkit import PRESETS, TrackerEnv, tracker_env

from timesheet.tracking.ledger import Ledger

if TYPE_CHECKING:  # the bot's kit loads hikari: only the modules that use it pay for it
    from botkit import BotHarness
    from botworld import World
    from clikit import Notion


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


@pytest.fixture
async def bot(world: World) -> AsyncIterator[BotHarness]:
    """The bot on the module's ``world`` fixture (a `botworld.World`), reading the real clock;
    a module whose bot needs a `Clock` defines its own ``bot``."""
    async with world.harness() as harness:
        yield harness


@pytest.fixture
def notion(tmp_path: Path) -> Iterator[Notion]:
    """A fresh timesheet served over HTTP for `bot.cli.main` (see `clikit`), the ledger in
    ``tmp_path / "data"``."""
    from clikit import served_timesheet

    with served_timesheet(tmp_path / "data") as served:
        yield served
