"""Fixtures shared by the test modules: a temporary ledger."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from timesheet.tracking.ledger import Ledger


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    """A fresh ledger in a temporary DATA_DIR (``tmp_path / "data"``)."""
    with Ledger.in_dir(tmp_path / "data") as opened:
        yield opened
