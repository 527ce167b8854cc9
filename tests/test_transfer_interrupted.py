"""A real ``timetrack import`` process killed (SIGKILL) or interrupted (Ctrl-C) half-way:
what it did not write stays in the ledger (in the user's import lane, which their own
commands don't wait behind), and running the import again, or ``timetrack sync``, completes
it with every entry in Notion exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from clikit import USER, Notion
from processkit import SCRIPT, run_cli

from timesheet.tracking.ledger import Ledger

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")

COUNT = 12
#: Creates written before the signal: the import is surely half-way.
AFTER = 4


def _file(tmp_path: Path) -> Path:
    t0 = datetime(2026, 11, 16, 9, tzinfo=UTC)
    entries = [
        {
            "entry_id": f"00000000-0000-4000-8000-{n:012d}",
            "user_id": USER,
            "client": "Acme",
            "name": f"Task {n}",
            "start": (t0 + timedelta(hours=n)).isoformat(),
            "end": (t0 + timedelta(hours=n, minutes=45)).isoformat(),
        }
        for n in range(COUNT)
    ]
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"entries": entries}))
    return path


async def _interrupt(notion: Notion, file: Path, sig: signal.Signals) -> tuple[int, str]:
    """Start ``timetrack import json FILE``, send ``sig`` once AFTER creates are written;
    its exit code and stderr."""
    notion.fake.faults.latency = 0.05  # requests take a moment: the signal lands mid-import
    proc = await asyncio.create_subprocess_exec(
        str(SCRIPT),
        "import",
        "json",
        str(file),
        env={"PATH": os.environ.get("PATH", ""), **notion.env()},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )

    async def signal_after_creates() -> None:
        while notion.fake.requests["create_page"] < AFTER:
            assert proc.returncode is None, "the import finished before the signal"
            await asyncio.sleep(0.005)
        proc.send_signal(sig)

    await asyncio.wait_for(signal_after_creates(), 60)
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    notion.fake.faults.latency = 0.0
    assert proc.returncode is not None
    return proc.returncode, err.decode()


def _pending(notion: Notion) -> int:
    with Ledger.in_dir(notion.data_dir) as ledger:
        return len(ledger)


def _assert_complete(notion: Notion) -> None:
    per_id = Counter(e.entry_id for e in notion.entries())
    assert len(per_id) == COUNT and set(per_id.values()) == {1}, per_id
    assert _pending(notion) == 0


@pytest.mark.parametrize("finish", ["import again", "sync"])
async def test_an_import_killed_half_way_is_completed_without_doubles(
    notion: Notion, tmp_path: Path, finish: str
) -> None:
    file = _file(tmp_path)
    code, _ = await _interrupt(notion, file, signal.SIGKILL)
    assert code == -signal.SIGKILL
    await asyncio.sleep(0.1)  # a create the dead process sent may still land: it may, once
    written = len(notion.entries())
    assert AFTER - 1 <= written < COUNT
    assert COUNT - written <= _pending(notion) <= COUNT - written + 1

    # The import waits in its own lane: the user's commands don't wait behind it.
    before, left = notion.fake.requests["create_page"], _pending(notion)
    active = await run_cli(notion.env(), "active")
    assert active.code == 0, active.err
    assert (notion.fake.requests["create_page"], _pending(notion)) == (before, left)

    if finish == "sync":
        run = await run_cli(notion.env(), "sync")
        assert run.code == 0, run.err
    else:
        run = await run_cli(notion.env(), "import", "json", str(file))
        assert run.code == 0, run.err
        imported, present = (int(word) for word in run.out.split()[0:4:2])
        assert (imported, present) == (COUNT - written, written), run.out
        assert "import: " in run.err  # not a terminal: progress as lines
    _assert_complete(notion)
    again = await run_cli(notion.env(), "import", "json", str(file))
    assert again.out.startswith(f"0 imported, {COUNT} already present, 0 skipped"), again.out


async def test_ctrl_c_stops_cleanly_and_running_again_continues(
    notion: Notion, tmp_path: Path
) -> None:
    file = _file(tmp_path)
    code, err = await _interrupt(notion, file, signal.SIGINT)
    assert code == 130
    assert err.splitlines()[-1] == (
        "timetrack: import interrupted; what is not written yet stays in the ledger: run the "
        "same import again (or `timetrack sync`) to finish it"
    )
    assert "Traceback" not in err
    assert _pending(notion) > 0 and len(notion.entries()) < COUNT
    run = await run_cli(notion.env(), "import", "json", str(file))
    assert run.code == 0, run.err
    _assert_complete(notion)
