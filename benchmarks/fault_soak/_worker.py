"""The second process: ``python -m benchmarks.fault_soak._worker SPEC OUT`` runs its side of
the soak against the parent's Notion (over loopback) and the shared ledger.

It prints ``ready`` once its tracker is open, starts on a ``go`` line on stdin, and writes its
commands (JSON) to OUT.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path

import httpx

from ._side import SideSpec, run_side

__all__ = ["main"]


async def _ready() -> None:
    print("ready", flush=True)
    line = await asyncio.to_thread(sys.stdin.readline)
    if line.strip() != "go":
        raise SystemExit(f"expected 'go', got {line!r}")


def main(argv: list[str]) -> int:
    spec_path, out_path = (Path(a) for a in argv)
    logging.basicConfig(level=logging.ERROR)  # the retries' warnings would drown the errors
    spec = SideSpec.from_json(json.loads(spec_path.read_text()))
    result = asyncio.run(run_side(spec, httpx.AsyncHTTPTransport(), ready=_ready))
    out_path.write_text(json.dumps(result.to_json()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
