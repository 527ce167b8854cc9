"""publish_timesheet against a local HTTP server that captures Discord's multipart request."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from webhookkit import WEBHOOK_TOKEN, FakeDiscord, serve_discord

from timesheet.publishing.discord_webhook import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    PublishError,
    build_embed,
    publish_timesheet,
    redact_webhooks,
)

TOKEN = WEBHOOK_TOKEN
TABLE = (
    "day         Acme  Globex  Total\n"
    "Mon 16       2.00    1.50   3.50\n"
    "Total        2.00    1.50   3.50"
)
CSV = "day,Acme,Globex,Total\n2026-11-16,2.00,1.50,3.50\nTotal,2.00,1.50,3.50\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture
async def discord() -> AsyncIterator[FakeDiscord]:
    async with serve_discord(TOKEN) as fake:
        yield fake


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


async def post(discord: FakeDiscord, sleep: Sleeps | None = None, **kwargs: Any) -> str | None:
    args: dict[str, Any] = {
        "title": "Week 2026-W47 (16–22 Nov 2026)",
        "table_text": TABLE,
        "csv_text": CSV,
        "csv_name": "timesheet-2026-W47.csv",
        "png": PNG,
        "png_name": "timesheet-2026-W47.png",
        "fields": [("Total", "3.50 h")],
        "sleep": sleep or Sleeps(),
        "base_delay": 1.0,
    }
    args.update(kwargs)
    return await asyncio.wait_for(publish_timesheet(discord.url, **args), timeout=10)


def json_reply(status: int, body: dict[str, Any], **headers: str) -> web.Response:
    return web.json_response(body, status=status, headers=headers)


async def test_one_message_with_embed_csv_and_png(discord: FakeDiscord) -> None:
    message_id = await post(discord)
    assert message_id == "1300000000000000042"
    [req] = discord.requests
    assert req.path == f"/api/webhooks/123456789012345678/{TOKEN}"
    assert req.query.get("wait") == "true"
    [embed] = req.payload["embeds"]
    assert embed["title"] == "Week 2026-W47 (16–22 Nov 2026)"
    assert embed["description"] == f"```\n{TABLE}\n```"
    assert embed["fields"] == [{"name": "Total", "value": "3.50 h", "inline": True}]
    assert embed["image"] == {"url": "attachment://timesheet-2026-W47.png"}
    assert req.payload["allowed_mentions"] == {"parse": []}
    by_name = {name: (ctype, data) for name, ctype, data in req.files.values()}
    assert by_name["timesheet-2026-W47.csv"][1] == CSV.encode()
    assert by_name["timesheet-2026-W47.png"][1] == PNG
    assert set(by_name) == {"timesheet-2026-W47.csv", "timesheet-2026-W47.png"}


async def test_without_png_only_the_csv_is_attached(discord: FakeDiscord) -> None:
    await post(discord, png=None, content="Weekly timesheet")
    [req] = discord.requests
    assert [f[0] for f in req.files.values()] == ["timesheet-2026-W47.csv"]
    assert "image" not in req.payload["embeds"][0]
    assert req.payload["content"] == "Weekly timesheet"


async def test_429_waits_retry_after_from_the_body_then_posts_once(discord: FakeDiscord) -> None:
    discord.script.append(
        json_reply(
            429, {"message": "You are being rate limited.", "retry_after": 2.5, "global": False}
        )
    )
    sleeps = Sleeps()
    assert await post(discord, sleeps) == "1300000000000000042"
    assert sleeps.calls == [2.5]
    assert len(discord.requests) == 2
    assert discord.requests[1].files == discord.requests[0].files  # the same message again


async def test_429_falls_back_to_the_retry_after_header(discord: FakeDiscord) -> None:
    discord.script.append(web.Response(status=429, text="slow down", headers={"Retry-After": "7"}))
    sleeps = Sleeps()
    await post(discord, sleeps)
    assert sleeps.calls == [7.0]


async def test_429_longer_than_we_wait_fails_without_sleeping(discord: FakeDiscord) -> None:
    discord.script.append(json_reply(429, {"retry_after": 3600.0, "global": True}))
    sleeps = Sleeps()
    with pytest.raises(PublishError, match="rate limited") as info:
        await post(discord, sleeps, max_retry_after=60)
    assert sleeps.calls == [] and info.value.status == 429 and not info.value.ambiguous


async def test_5xx_backs_off_exponentially_then_succeeds(discord: FakeDiscord) -> None:
    discord.script.extend([web.Response(status=502), web.Response(status=503),
                           web.Response(status=500)])  # fmt: skip
    sleeps = Sleeps()
    assert await post(discord, sleeps, base_delay=0.5) is not None
    assert sleeps.calls == [0.5, 1.0, 2.0]
    assert len(discord.requests) == 4


async def test_5xx_every_time_gives_up_after_max_attempts(discord: FakeDiscord) -> None:
    discord.script.extend(web.Response(status=503) for _ in range(10))
    sleeps = Sleeps()
    with pytest.raises(PublishError, match="after 3 attempt") as info:
        await post(discord, sleeps, max_attempts=3, base_delay=1.0, max_delay=1.5)
    assert sleeps.calls == [1.0, 1.5]
    assert len(discord.requests) == 3
    assert info.value.status == 503 and info.value.attempts == 3
    assert TOKEN not in str(info.value)


async def test_404_fails_at_once_and_never_shows_the_url(discord: FakeDiscord) -> None:
    discord.script.append(json_reply(404, {"message": "Unknown Webhook", "code": 10015}))
    sleeps = Sleeps()
    with pytest.raises(PublishError) as info:
        await post(discord, sleeps)
    message = str(info.value)
    assert "HTTP 404" in message and "Unknown Webhook (code 10015)" in message
    assert TOKEN not in message and discord.url not in message and "127.0.0.1" not in message
    assert sleeps.calls == [] and len(discord.requests) == 1


async def test_error_body_echoing_the_url_is_redacted(discord: FakeDiscord) -> None:
    discord.script.append(json_reply(400, {"message": f"bad request to {discord.url}"}))
    with pytest.raises(PublishError) as info:
        await post(discord)
    assert TOKEN not in str(info.value)
    assert "HTTP 400" in str(info.value)


async def test_lost_answer_is_ambiguous_and_not_retried(discord: FakeDiscord) -> None:
    discord.script.append("drop")
    sleeps = Sleeps()
    with pytest.raises(PublishError, match="may or may not") as info:
        await post(discord, sleeps)
    assert info.value.ambiguous
    assert len(discord.requests) == 1 and sleeps.calls == []
    assert TOKEN not in str(info.value) and info.value.__suppress_context__


async def test_unreachable_host_is_retried_then_fails_cleanly() -> None:
    sleeps = Sleeps()
    url = f"http://127.0.0.1:9/api/webhooks/1/{TOKEN}"  # discard port: connection refused
    with pytest.raises(PublishError, match="could not reach Discord") as info:
        await asyncio.wait_for(
            publish_timesheet(
                url, title="t", table_text="x", csv_text="a\n", sleep=sleeps, max_attempts=2
            ),
            timeout=10,
        )
    assert not info.value.ambiguous and sleeps.calls == [1.0]
    assert TOKEN not in str(info.value) and "127.0.0.1" not in str(info.value)


async def test_bad_url_never_echoed() -> None:
    for url in (f"ftp://host/api/webhooks/1/{TOKEN}", f"discord.com/api/webhooks/1/{TOKEN}"):
        with pytest.raises(PublishError) as info:
            await publish_timesheet(url, title="t", table_text="x", csv_text="a\n")
        assert TOKEN not in str(info.value)


async def test_httpx_request_log_line_has_no_token(
    discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    discord.script.append(web.Response(status=500))
    with caplog.at_level(logging.DEBUG):
        await post(discord)
    # aiohttp.access is the stand-in Discord's own log, not ours.
    text = "\n".join(r.getMessage() for r in caplog.records if r.name != "aiohttp.access")
    assert "HTTP Request: POST" in text  # httpx's own line is there, redacted
    assert TOKEN not in text
    assert "/api/webhooks/123456789012345678/***" in text


async def test_huge_table_goes_to_the_csv_with_a_note(discord: FakeDiscord) -> None:
    rows = [f"client-{i:04d}".ljust(40) + "1.00" for i in range(400)]
    huge = "\n".join(rows)
    huge_csv = "day,Total\n" + "\n".join(f"{r},1.00" for r in range(400)) + "\n"
    await post(discord, table_text=huge, csv_text=huge_csv, title="T" * 300,
               fields=[("Total", "400.00 h"), ("Notes", "n" * 3000)])  # fmt: skip
    [req] = discord.requests
    [embed] = req.payload["embeds"]
    assert "full table in the attached CSV" in embed["description"]
    assert "client-0000" not in embed["description"]  # no partial table that could mislead
    assert len(embed["description"]) <= EMBED_DESCRIPTION_LIMIT
    assert len(embed["title"]) == 256 and embed["title"].endswith("…")
    assert len(embed["fields"][1]["value"]) == 1024 and embed["fields"][1]["value"].endswith("…")
    by_name = {name: data for name, _, data in req.files.values()}
    assert by_name["timesheet-2026-W47.csv"] == huge_csv.encode()


def embed_total(embed: dict[str, Any]) -> int:
    return (
        len(embed["title"])
        + len(embed.get("description", ""))
        + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
        + len(embed.get("footer", {}).get("text", ""))
    )


def test_table_that_fits_alone_but_not_with_fields_respects_the_total() -> None:
    table = "x" * 4000  # fits the 4,096 description, but not 6,000 with 4 full fields
    fields = [(f"f{i}", "v" * 1024) for i in range(4)]
    embed = build_embed(title="Week", table_text=table, fields=fields)
    assert "full table in the attached CSV" in embed["description"]
    assert embed_total(embed) <= EMBED_TOTAL_LIMIT
    assert len(embed["fields"]) == 4


def test_fields_alone_over_the_total_are_dropped_and_counted() -> None:
    fields = [(f"f{i}", "v" * 1024) for i in range(8)]
    embed = build_embed(title="Week", table_text="small", fields=fields, footer="f" * 100)
    assert embed_total(embed) <= EMBED_TOTAL_LIMIT
    assert embed["fields"][-1]["value"].endswith("more field(s) left out")
    kept = len(embed["fields"]) - 1
    assert embed["fields"][-1]["value"].startswith(f"{8 - kept} ")


def test_small_table_is_kept_whole_in_a_code_block() -> None:
    embed = build_embed(title="Week", table_text=TABLE)
    assert embed["description"] == f"```\n{TABLE}\n```"
    assert "fields" not in embed and "image" not in embed


def test_too_many_fields_and_bad_names_are_caller_errors() -> None:
    with pytest.raises(ValueError, match="at most 25"):
        build_embed(title="t", table_text="x", fields=[("a", "b")] * 26)


@pytest.mark.parametrize("name", ["has space.csv", "", "a/b.csv", "é.csv", "x.csv\n"])
async def test_attachment_names_are_checked(name: str) -> None:
    with pytest.raises(ValueError, match="attachment name"):
        await publish_timesheet(
            f"http://127.0.0.1:9/api/webhooks/1/{TOKEN}",
            title="t", table_text="x", csv_text="a\n", csv_name=name,
        )  # fmt: skip


def test_redact_webhooks() -> None:
    url = f"https://discord.com/api/webhooks/123/{TOKEN}?wait=true"
    assert redact_webhooks(f"POST {url} failed") == (
        "POST https://discord.com/api/webhooks/123/***?wait=true failed"
    )
    assert redact_webhooks("token abc in text", "abc") == "token *** in text"
