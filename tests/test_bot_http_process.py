"""`timetrack bot --http` as a real process: registers commands, serves signed interactions."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import aiohttp
import pytest
from botkit import GUILD_ID, DiscordStub, Signer, free_socket, slash
from notionkit import timesheet_notion

from notion_client import Page
from timesheet.entries.schema import from_page

TOKEN = "secret_process_token"
ALICE = "100000000000000001"
SCRIPT = Path(sys.executable).with_name("timetrack")


async def _wait_listening(url: str, proc: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            if proc.returncode is not None:
                raise AssertionError("the bot exited early")
            try:
                async with session.get(url) as response:
                    await response.read()
                    return
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
    raise AssertionError("the bot never listened")


async def test_bot_http_process_serves_signed_interactions_and_stops_cleanly(
    tmp_path: Path,
) -> None:
    fake, database_id, ds_id = timesheet_notion(("Acme",), token=TOKEN)
    signer = Signer()
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    async with DiscordStub() as discord, fake.serve() as notion_url:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "DISCORD_TOKEN": "process.bot.token",
            "DISCORD_PUBLIC_KEY": signer.public_key,
            "DISCORD_API_URL": discord.url,
            "DISCORD_GUILD_ID": GUILD_ID,
            "NOTION_TOKEN": TOKEN,
            "NOTION_DATABASE_ID": database_id,
            "NOTION_BASE_URL": notion_url,
        }
        proc = await asyncio.create_subprocess_exec(
            str(SCRIPT),
            "bot",
            "--http",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            url = f"http://127.0.0.1:{port}/"
            await asyncio.wait_for(_wait_listening(url, proc), 30)
            async with aiohttp.ClientSession() as session:
                ping = json.dumps(
                    {"type": 1, "id": "1", "application_id": "2", "token": "t", "version": 1}
                ).encode()
                async with session.post(url, data=ping, headers=signer.headers(ping)) as r:
                    assert r.status == 200 and await r.json() == {"type": 1}
                payload = slash("start", "timer", user_id=ALICE, client="Acme")
                body = json.dumps(payload).encode()
                async with session.post(url, data=body, headers=signer.headers(body)) as r:
                    assert (await r.json())["type"] == 5
                (edit,) = await discord.wait_for(payload["token"])
                async with session.post(url, data=body + b" ", headers=signer.headers(body)) as r:
                    assert r.status in (400, 401)
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    assert "Started **Acme**" in edit.payload["content"]
    (page,) = fake.pages(ds_id)
    assert from_page(Page.from_json(page)).user_id == ALICE
    assert any(
        c.method == "PUT" and c.path.endswith(f"/guilds/{GUILD_ID}/commands") for c in discord.calls
    )
    text = out.decode() + err.decode()
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
    import subprocess

    done = subprocess.run(
        [str(SCRIPT), "bot", *args],
        env={"PATH": os.environ.get("PATH", ""), **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(line) and done.stderr.count("\n") == 1
