"""`timetrack bot --http` as a real process: registers commands, serves signed interactions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botkit import GUILD_ID, DiscordStub, Signer, slash
from notionkit import timesheet_notion
from processkit import bot_process, run_script

from notion_client import Page
from timesheet.entries.schema import from_page

TOKEN = "secret_process_token"
ALICE = "100000000000000001"


async def test_bot_http_process_serves_signed_interactions_and_stops_cleanly(
    tmp_path: Path,
) -> None:
    fake, database_id, ds_id = timesheet_notion(("Acme",), token=TOKEN)
    signer = Signer()
    async with DiscordStub() as discord, fake.serve() as notion_url:
        env = {
            "DISCORD_TOKEN": "process.bot.token",
            "DISCORD_API_URL": discord.url,
            "DISCORD_GUILD_ID": GUILD_ID,
            "NOTION_TOKEN": TOKEN,
            "NOTION_DATABASE_ID": database_id,
            "NOTION_BASE_URL": notion_url,
        }
        async with bot_process(env, signer, tmp_path) as bot:
            ping = {"type": 1, "id": "1", "application_id": "2", "token": "t", "version": 1}
            assert await bot.post(ping) == (200, {"type": 1})
            payload = slash("start", "timer", user_id=ALICE, client="Acme")
            status, answer = await bot.post(payload)
            assert status == 200 and answer is not None and answer["type"] == 5
            (edit,) = await discord.wait_for(payload["token"])
            body = json.dumps(payload).encode()
            async with bot.session.post(
                bot.url, data=body + b" ", headers=signer.headers(body)
            ) as r:
                assert r.status in (400, 401)
        proc = bot.proc
    assert proc.returncode == 0, bot.output
    assert "Started **Acme**" in edit.payload["content"]
    (page,) = fake.pages(ds_id)
    assert from_page(Page.from_json(page)).user_id == ALICE
    assert any(
        c.method == "PUT" and c.path.endswith(f"/guilds/{GUILD_ID}/commands") for c in discord.calls
    )
    text = bot.output
    assert "Traceback" not in text
    for secret in (TOKEN, "process.bot.token", payload["token"]):
        assert secret not in text
    assert '"command": "start timer"' in text


@pytest.mark.parametrize(
    ("args", "env", "line"),
    [
        (["--http"], {"DISCORD_TOKEN": "a.b.c"}, "timetrack: DISCORD_PUBLIC_KEY: is not set"),
        ([], {}, "timetrack: DISCORD_TOKEN: is not set"),
    ],
)
def test_bot_refuses_to_start_without_its_keys(
    tmp_path: Path, args: list[str], env: dict[str, str], line: str
) -> None:
    done = run_script("bot", *args, env=env, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(line) and done.stderr.count("\n") == 1
