"""Settings: every variable parsed, every bad value refused with one line naming it."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from timesheet.config import ConfigError, Settings

SECRET = "ntn_SECRET_value_123"


def test_defaults_when_nothing_is_set() -> None:
    s = Settings.from_env({})
    assert s.timezone == ZoneInfo("UTC")
    assert s.timesheet_cron == "0 9 * * SUN"
    assert (s.week_start, s.round_minutes, s.rounding) == (0, 0, "nearest")
    assert s.data_dir == Path("data")
    assert s.notion_base_url == "https://api.notion.com"
    assert s.preset_clients == ()


def test_full_environment_is_parsed() -> None:
    s = Settings.from_env(
        {
            "NOTION_TOKEN": SECRET,
            "NOTION_DATABASE_ID": "https://www.notion.so/ws/Time-1f2e3d4c5b6a79881f2e3d4c5b6a7988?v=abc",
            "TIMEZONE": "Europe/London",
            "PRESET_CLIENTS": " Acme, Globex ,,Acme",
            "PRESETS_ONLY": "yes",
            "WEEK_START": "sun",
            "ROUND_MINUTES": "15",
            "ROUNDING": "UP",
            "ALLOWED_USER_IDS": "123456789012345678, 223456789012345678",
            "NOTION_BASE_URL": "http://127.0.0.1:9999/",
            "DATA_DIR": "/tmp/tt-data",
        }
    )
    assert s.notion_database_id == "1f2e3d4c-5b6a-7988-1f2e-3d4c5b6a7988"
    assert s.timezone == ZoneInfo("Europe/London")
    assert s.preset_clients == ("Acme", "Globex")
    assert Settings.from_env({"PRESET_CLIENTS": "Ac\u200bme,Acme"}).preset_clients == ("Acme",)
    assert s.presets_only is True
    assert s.week_start == 6
    assert (s.round_minutes, s.rounding) == (15, "up")
    assert s.allowed_user_ids == ("123456789012345678", "223456789012345678")
    assert s.notion_base_url == "http://127.0.0.1:9999"
    assert s.data_dir == Path("/tmp/tt-data")
    assert SECRET not in repr(s)


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("TIMEZONE", "Mars/Olympus", "IANA time zone"),
        ("TIMEZONE", "../../etc/passwd", "IANA time zone"),
        ("TIMESHEET_CRON", "every sunday", "cron"),
        ("TIMESHEET_CRON", "0 25 * * SUN", "cron"),
        ("ROUND_MINUTES", "-5", "0 (no rounding) to 60"),
        ("ROUND_MINUTES", "abc", "0 (no rounding) to 60"),
        ("ROUNDING", "banker", "nearest, up or down"),
        ("WEEK_START", "someday", "weekday"),
        ("WEEK_START", "7", "weekday"),
        ("NOTION_DATABASE_ID", "not-an-id", "Notion id"),
        ("DISCORD_GUILD_ID", "12ab", "Discord id"),
        ("DISCORD_PUBLIC_KEY", "zz" * 32, "public key"),
        ("ALLOWED_ROLE_IDS", "123456789012345678,x", "Discord id"),
        ("PRESETS_ONLY", "maybe", "true or false"),
        ("NOTION_BASE_URL", "ftp://x", "http(s) URL"),
        ("TIMETRACK_USER", "me", "Discord id"),
        ("TIMESHEET_WEEK", "previous", "expected current or last"),
        ("PRESET_CLIENTS", "Acme,Ev\x01il", "a client name contains a control character (U+0001)"),
        ("PRESET_CLIENTS", "Acme,\u200b", "a client name is blank"),
        ("PRESET_CLIENTS", "x" * 101, "a client name is too long (101 characters, max 100)"),
        ("RATES", "Acme=120", "expected client:rate pairs"),
        ("RATES", "Acme:lots", "the rate of 'Acme' is not a number"),
        ("RATES", "Acme:-5", "the rate of 'Acme' must be 0 or more"),
        ("RATES", "Acme:NaN", "the rate of 'Acme' must be 0 or more"),
        ("RATES", ":99", "expected client:rate pairs"),
        ("CURRENCY", "euro", "3-letter ISO 4217"),
        ("REMIND_AFTER", "soon", "duration such as 8h"),
        ("REMIND_AFTER", "30h", "at most 24h"),
        ("ALERT_AFTER", "off", "duration such as 8h"),
        ("HEALTH_PORT", "70000", "TCP port from 1 to 65535"),
        ("HEALTH_PORT", "http", "TCP port from 1 to 65535"),
        ("BACKUP_KEEP", "0", "whole number from 1 to 10000"),
        ("NOTION_CLIENTS_DATABASE_ID", "clients", "Notion id"),
        ("ALERT_WEBHOOK_URL", "discord", "http(s) URL"),
    ],
)
def test_bad_value_names_the_variable_in_one_line(variable: str, value: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({variable: value, "NOTION_TOKEN": SECRET})
    message = str(info.value)
    assert message.startswith(f"{variable}: ")
    assert fragment in message
    assert "\n" not in message
    assert value not in message.removeprefix(f"{variable}: ") or value in fragment
    assert SECRET not in message


def test_require_names_the_first_missing_variable() -> None:
    s = Settings.from_env({"NOTION_TOKEN": SECRET})
    s.require("NOTION_TOKEN")
    with pytest.raises(ConfigError, match=r"^NOTION_DATABASE_ID: is not set"):
        s.require("NOTION_TOKEN", "NOTION_DATABASE_ID")


def test_token_with_whitespace_is_refused_without_echo() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"DISCORD_TOKEN": "abc def"})
    assert str(info.value) == "DISCORD_TOKEN: contains white space"


@pytest.mark.parametrize(
    ("value", "week"), [("", None), ("current", "current"), ("LAST", "last"), (" last ", "last")]
)
def test_timesheet_week_overrides_the_rule_or_is_left_to_it(value: str, week: str | None) -> None:
    assert Settings.from_env({"TIMESHEET_WEEK": value}).timesheet_week == week


def test_the_settings_of_rates_reminders_alerts_and_backups() -> None:
    from datetime import timedelta
    from decimal import Decimal

    s = Settings.from_env(
        {
            "RATES": " Acme:120, Globex:95.50 ,,",
            "CURRENCY": "eur",
            "REMIND_AFTER": "1h30m",
            "ALERT_AFTER": "5m",
            "HEALTH_PORT": "8081",
            "BACKUP_KEEP": "3",
            "ALERT_WEBHOOK_URL": "https://discord.com/api/webhooks/1/SECRET-hook",
        }
    )
    assert s.rates == {"Acme": Decimal("120"), "Globex": Decimal("95.50")}
    assert s.currency == "EUR"
    assert (s.remind_after, s.alert_after) == (timedelta(minutes=90), timedelta(minutes=5))
    assert (s.health_port, s.backup_keep) == (8081, 3)
    assert "SECRET-hook" not in repr(s)
    defaults = Settings.from_env({})
    assert (defaults.rates, defaults.currency, defaults.health_port) == ({}, None, None)
    assert (defaults.remind_after, defaults.alert_after) == (
        timedelta(hours=8),
        timedelta(minutes=15),
    )
    assert defaults.backup_keep == 8
    assert Settings.from_env({"REMIND_AFTER": "off"}).remind_after is None
