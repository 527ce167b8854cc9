"""Building the bot: gateway mode with our plugins, and a bad token refused in one line."""

from __future__ import annotations

import hikari
import pytest

from bot.app import build_gateway_bot
from bot.model import Model
from timesheet.config import ConfigError, Settings

ENV = {"NOTION_TOKEN": "secret_app", "NOTION_DATABASE_ID": "0123456789abcdef0123456789abcdef"}
# Well-formed (base64 user id . timestamp . hmac), not a real token.
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.abcdefghijklmnopqrstuvwxyz0123456789AB"


def test_gateway_bot_has_our_commands_in_the_guild() -> None:
    settings = Settings.from_env(
        {**ENV, "DISCORD_TOKEN": TOKEN, "DISCORD_GUILD_ID": "800000000000000001"}
    )
    bot, client = build_gateway_bot(settings, Model(settings), logs=None)
    names = sorted({c.name for c in client.commands.app_commands})
    # timer: /start, /end; entry: /edit, /delete; set, show: /target
    assert names == [
        "active",
        "check",
        "custom",
        "entries",
        "entry",
        "invoice",
        "log",
        "panel",
        "pause",
        "resume",
        "set",
        "show",
        "status",
        "timer",
        "timesheet",
    ]
    for name in ("check", "panel", "status"):
        (command,) = [c for c in client.commands.app_commands if c.name == name]
        # shown to managers only
        assert command.default_member_permissions == hikari.Permissions.MANAGE_GUILD
    assert {c.guild_id for c in client.commands.app_commands} == {800000000000000001}
    assert client.model.settings is settings
    # Message times (no content) for the reminders' "Stop at my last message" only.
    assert bot.intents == hikari.Intents.GUILD_MESSAGES


def test_without_reminders_the_gateway_bot_asks_for_no_intent() -> None:
    settings = Settings.from_env({**ENV, "DISCORD_TOKEN": TOKEN, "REMIND_AFTER": "off"})
    bot, client = build_gateway_bot(settings, Model(settings), logs=None)
    assert bot.intents == hikari.Intents.NONE and client.jobs.reminders is None


def test_a_malformed_discord_token_is_a_config_error() -> None:
    settings = Settings.from_env({**ENV, "DISCORD_TOKEN": "not-a-token"})
    with pytest.raises(ConfigError) as caught:
        build_gateway_bot(settings, Model(settings), logs=None)
    assert str(caught.value).startswith("DISCORD_TOKEN: ")
    assert "not-a-token" not in str(caught.value)
