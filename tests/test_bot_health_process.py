"""`timetrack bot --http` as a real process answers GET /healthz beside the interactions:
200 while Notion answers, 503 (and why) when it can't be reached."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from botkit import GUILD_ID, DiscordStub, Signer, free_socket
from notionkit import timesheet_notion
from processkit import bot_process

TOKEN = "secret_process_health_token"


async def _healthz(url: str) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as session, session.get(f"{url}healthz") as response:
        return response.status, await response.json()


async def test_healthz_of_a_real_process_in_both_states(tmp_path: Path) -> None:
    fake, database_id, _ = timesheet_notion(("Acme",), token=TOKEN)
    closed = free_socket()  # a port nothing answers on: Notion unreachable
    dead_url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    closed.close()
    for name in ("up", "down"):
        (tmp_path / name).mkdir()
    async with DiscordStub() as discord, fake.serve() as notion_url:
        env = {
            "DISCORD_TOKEN": "process.bot.token",
            "DISCORD_API_URL": discord.url,
            "DISCORD_GUILD_ID": GUILD_ID,
            "NOTION_TOKEN": TOKEN,
            "NOTION_DATABASE_ID": database_id,
            "NOTION_BASE_URL": notion_url,
        }
        async with bot_process(env, Signer(), tmp_path / "up") as bot:
            up = await _healthz(bot.url)
        down_env = {**env, "NOTION_BASE_URL": dead_url}
        async with bot_process(down_env, Signer(), tmp_path / "down") as bot:
            down = await _healthz(bot.url)
    assert up[0] == 200 and up[1]["status"] == "ok"
    assert down[0] == 503 and down[1]["status"] == "down"
    notion = down[1]["notion"]
    assert isinstance(notion, dict) and notion["reachable"] is False
    assert str(notion["problem"]).startswith("Notion unreachable")
    assert TOKEN not in str(down[1]) and "process.bot.token" not in str(down[1])
