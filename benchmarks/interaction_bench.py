"""/start, /end, /log and /edit through the interaction server, with a zero-latency in-memory
Notion.

Each command is a signed interaction POSTed over HTTP to our RESTBot on 127.0.0.1 (our plugins,
hikari's signature check, crescent routing); Notion is the in-memory fake behind the client's
real HTTP machinery (in-process transport, or ``--http`` for a loopback server). The time is
from the POST to the captured edit of the deferred response, i.e. what the user waits for;
the acknowledgement (the deferred response) is timed separately. ``/edit`` is the modal it
opens (its first and only response, so ack = reply), ``edit sent`` the modal sent back with
its note changed (deferred, then answered like a command).

Run: ``uv run python -m benchmarks.interaction_bench [--runs 200] [--http]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

from notion_client.fake import FakeNotion
from timesheet.entries.schema import expected_schema

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from botkit import TIMEOUT, BotHarness, Form, slash  # the test kit drives the bot

TOKEN = "secret_bench"
USER = "100000000000000001"


@contextlib.asynccontextmanager
async def _notion(fake: FakeNotion, http: bool) -> AsyncIterator[dict[str, str]]:
    if not http:
        yield {}
        return
    async with fake.serve() as base_url:
        yield {"NOTION_BASE_URL": base_url}


async def _timed(bot: BotHarness, payload: dict[str, object]) -> tuple[float, float]:
    """(ms until the deferred acknowledgement, ms until the final reply)."""
    body = json.dumps(payload).encode()
    began = time.perf_counter()
    status, data, _ = await asyncio.wait_for(bot.post(body, bot.signer.headers(body)), TIMEOUT)
    acked = time.perf_counter()
    if status != 200 or data.get("type") != 5:
        raise RuntimeError(f"unexpected interaction response {status} {data}")
    await bot.discord.wait_for(str(payload["token"]))
    done = time.perf_counter()
    return (acked - began) * 1000, (done - began) * 1000


async def _timed_modal(bot: BotHarness, payload: dict[str, object]) -> tuple[float, Form]:
    """(ms until the modal, the modal) for a command answered with one."""
    body = json.dumps(payload).encode()
    began = time.perf_counter()
    status, data, _ = await asyncio.wait_for(bot.post(body, bot.signer.headers(body)), TIMEOUT)
    done = time.perf_counter()
    if status != 200 or data.get("type") != 9:
        raise RuntimeError(f"unexpected interaction response {status} {data}")
    inputs = [c for row in data["data"]["components"] for c in row["components"]]
    return (done - began) * 1000, Form(data["data"]["title"], data["data"]["custom_id"], inputs)


def _stats(name: str, acks: list[float], totals: list[float], requests: Counter[str]) -> None:
    def pct(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1]

    runs = len(totals)
    per = ", ".join(f"{k} {v / runs:g}" for k, v in sorted(requests.items()))
    print(
        f"{name:<10} reply p50 {pct(totals, 50):6.2f} ms  p95 {pct(totals, 95):6.2f} ms  "
        f"max {max(totals):6.2f} ms | ack p50 {pct(acks, 50):5.2f} ms  p95 {pct(acks, 95):5.2f} ms"
        f" | Notion requests per command: {sum(requests.values()) / runs:g} ({per})"
    )


async def _run(runs: int, http: bool) -> None:
    fake = FakeNotion(token=TOKEN)
    parent = fake.add_parent_page("Bench")
    database_id, ds_id = fake.add_database(
        parent, "Time entries", expected_schema(("Acme", "Globex"))
    )
    clients = ("Acme", "Globex")
    async with _notion(fake, http) as extra:
        env = {"NOTION_TOKEN": TOKEN, "NOTION_DATABASE_ID": database_id, **extra}
        transport = None if http else fake.transport()
        async with BotHarness(env, transport=transport) as bot:
            # Warm-up: resolves (and caches) the data source, warms imports and connections.
            for _ in range(5):
                await _timed(bot, slash("start", "timer", user_id=USER, client="Acme"))
                await _timed(bot, slash("end", "timer", user_id=USER))
            names = ("/start", "/end", "/log", "/edit", "edit sent")
            results: dict[str, tuple[list[float], list[float], Counter[str]]] = {
                name: ([], [], Counter()) for name in names
            }

            def note(name: str, ack: float, total: float, before: Counter[str]) -> None:
                acks, totals, requests = results[name]
                acks.append(ack)
                totals.append(total)
                requests.update(Counter(fake.requests) - before)

            for i in range(runs):
                for name, payload in (
                    ("/start", slash("start", "timer", user_id=USER, client=clients[i % 2])),
                    ("/end", slash("end", "timer", user_id=USER)),
                    ("/log", slash("log", user_id=USER, client=clients[i % 2], duration="25m")),
                ):
                    # 30 minutes between commands: a timer of 30 m, then 25 m logged after
                    # it, so no entry overlaps another (the overlap queries stay one page).
                    bot.clock.advance(minutes=30)
                    before = Counter(fake.requests)
                    note(name, *await _timed(bot, payload), before)
                logged = fake.pages(ds_id)[-1]["id"]  # any entry of the user's will do
                before = Counter(fake.requests)
                opening = slash("edit", "entry", user_id=USER, entry=logged)
                ms, form = await _timed_modal(bot, opening)
                note("/edit", ms, ms, before)
                before = Counter(fake.requests)
                sent = form.submit(user_id=USER, note=f"edited {i}")
                note("edit sent", *await _timed(bot, sent), before)
    mode = "loopback HTTP" if http else "in-process transport"
    print(
        f"{runs} x /start + /end + /log + /edit (and the modal sent), one user, "
        f"in-memory Notion over {mode}, no injected latency"
    )
    for name, (acks, totals, requests) in results.items():
        _stats(name, acks, totals, requests)
    pages = fake.pages(ds_id)
    ended = all(p["properties"]["End"]["date"] is not None for p in pages)
    print(f"pages in Notion: {len(pages)} (every timer ended: {ended})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--http", action="store_true", help="serve Notion over loopback HTTP")
    args = parser.parse_args()
    asyncio.run(_run(args.runs, args.http))


if __name__ == "__main__":
    main()
