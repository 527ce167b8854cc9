"""Run the in-memory Notion as a local HTTP server: `python -m notion_client.fake --port 8765`.

`--index-lag-ms 3000` makes queries see pages as they were three seconds ago (`Faults.index_lag`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Sequence

from ._fake import FakeNotion

__all__ = ["main"]


async def _serve(host: str, port: int, token: str, parent_title: str, lag_ms: float) -> None:
    fake = FakeNotion(token=token)
    fake.faults.index_lag = lag_ms / 1000
    parent = fake.add_parent_page(parent_title)
    async with fake.serve(host, port) as url:
        # Two lines a parent process can read to point timetrack at this server.
        print(f"NOTION_BASE_URL={url}", flush=True)
        print(f"NOTION_PARENT_PAGE_ID={parent}", flush=True)
        await asyncio.Event().wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until interrupted; the token is the one clients must send as `Bearer <token>`."""
    parser = argparse.ArgumentParser(
        prog="python -m notion_client.fake",
        description="In-memory Notion (API 2026-03-11) over HTTP, for demos and manual tests.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", default="secret_test")
    parser.add_argument("--parent-title", default="Workspace", help="title of the parent page")
    parser.add_argument(
        "--index-lag-ms",
        type=float,
        default=0,
        metavar="N",
        help="queries see pages as they were N ms ago, as Notion's lagging index does (default 0)",
    )
    args = parser.parse_args(argv)
    if args.index_lag_ms < 0:
        parser.error("--index-lag-ms must not be negative")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.host, args.port, args.token, args.parent_title, args.index_lag_ms))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
