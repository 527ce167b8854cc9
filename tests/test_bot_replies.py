"""Reply text, error lines, choice matching and authorization rules of the bot, as units."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from notionkit import T0, make_entry

from bot.auth import Caller, is_allowed
from bot.errors import describe_error
from bot.format import format_active, format_duration, format_end, format_time
from bot.plugins.timer import match_choices
from notion_client import (
    NotionConnectionError,
    NotionTimeoutError,
    ObjectNotFoundError,
    RateLimitedError,
    RestrictedResourceError,
    ServerError,
    UnauthorizedError,
    ValidationError,
)
from timesheet.config import ConfigError
from timesheet.tracking.tracker import EndResult, EndSaved, NothingRunning, UnknownClient

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("exc", "start", "outcome"),
    [
        (
            UnauthorizedError(401, "unauthorized", "API token is invalid."),
            "Notion rejected the token",
            "notion_unauthorized",
        ),
        (
            ObjectNotFoundError(404, "object_not_found", "Could not find database"),
            "Notion can't find the timesheet database: share the database with the integration",
            "notion_not_found",
        ),
        (
            RestrictedResourceError(403, "restricted_resource", "no"),
            "Notion refused access",
            "notion_forbidden",
        ),
        (
            RateLimitedError(429, "rate_limited", "slow down", retry_after=30),
            "Notion is unavailable right now",
            "notion_unavailable",
        ),
        (
            ServerError(503, "service_unavailable", "down"),
            "Notion is unavailable right now",
            "notion_unavailable",
        ),
        (
            NotionTimeoutError("timed out", ambiguous=True),
            "Notion is unavailable right now",
            "notion_unavailable",
        ),
        (
            NotionConnectionError("refused", ambiguous=False),
            "Notion is unavailable right now",
            "notion_unavailable",
        ),
        (
            ValidationError(400, "validation_error", "Client is not a property"),
            "Notion refused the entry; the database may be missing properties",
            "notion_invalid",
        ),
        (NothingRunning(), "You have no running timer.", "refused"),
        (UnknownClient("Nope", ["Acme"]), 'Unknown client "Nope". Choose one of: Acme.', "refused"),
        (
            ConfigError("NOTION_TOKEN", "is not set"),
            "timetrack is misconfigured: NOTION_TOKEN: is not set",
            "config_error",
        ),
        (KeyError("boom"), "Something went wrong on our side; nothing was changed.", "error"),
    ],
)
def test_every_error_is_one_line(exc: Exception, start: str, outcome: str) -> None:
    reply = describe_error(exc)
    assert reply.line.startswith(start)
    assert "\n" not in reply.line and reply.outcome == outcome
    assert "boom" not in reply.line and "API token" not in reply.line


@pytest.mark.parametrize(
    ("tz", "when"),
    [
        (UTC, "2026-07-01 23:30 UTC"),
        (ZoneInfo("Europe/London"), "2026-07-02 00:30 Europe/London"),  # BST, next day
        (ZoneInfo("America/New_York"), "2026-07-01 19:30 America/New_York"),  # EDT
    ],
)
def test_a_saved_stop_is_told_in_the_users_time_zone(tz: ZoneInfo, when: str) -> None:
    at = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)
    by_ref = format_end(EndSaved("1", at, ref="abc"), tz, at)
    assert by_ref == (
        f"Notion can't be reached right now. Saved: your stop at {when} will be applied "
        "once Notion answers (if the entry is yours)."
    )
    running = format_end(EndSaved("1", at), tz, at)
    assert f"your running timer will be stopped at {when} once Notion answers." in running


def test_match_choices_prefix_first_case_insensitive_at_most_25() -> None:
    names = ["Acme", "Globex", "Initech", "Blue Acme", "acme labs"]
    assert match_choices(names, "ACM") == [
        ("Acme", "Acme"),
        ("acme labs", "acme labs"),
        ("Blue Acme", "Blue Acme"),
    ]
    assert match_choices(names, "zzz") == []
    assert len(match_choices([f"C{i}" for i in range(60)], "")) == 25
    assert match_choices(["x" * 101, "Acme", "Acme"], "") == [("Acme", "Acme")]


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (timedelta(seconds=42), "42s"),
        (timedelta(minutes=7, seconds=59), "7m"),
        (timedelta(hours=3, minutes=5), "3h 05m"),
        (timedelta(hours=26), "26h 00m"),
        (timedelta(seconds=-5), "0s"),
    ],
)
def test_format_duration(span: timedelta, text: str) -> None:
    assert format_duration(span) == text


def test_times_are_shown_in_the_configured_zone() -> None:
    moment = datetime(2026, 7, 1, 8, 30, tzinfo=UTC)
    assert format_time(moment, LONDON, now=moment) == "09:30 Europe/London"
    later = moment + timedelta(days=2)
    assert format_time(moment, LONDON, now=later) == "Wed 01 Jul 09:30 Europe/London"


def test_terminal_text_has_no_markdown_and_a_plain_link() -> None:
    now = datetime(2026, 11, 16, 10, tzinfo=UTC)
    running = make_entry(start=T0, url="https://www.notion.so/p-1")
    text = format_active([running], LONDON, now, markdown=False)
    assert (
        text
        == "Running: Acme since 09:00 Europe/London, elapsed 1h 00m.\n  https://www.notion.so/p-1"
    )
    stopped = make_entry(start=T0, end=now, url="https://www.notion.so/p-1")
    ended = EndResult(entry=stopped, already_ended=True)
    assert format_end(ended, LONDON, now, markdown=False).startswith(
        "Acme was already stopped: started 09:00 Europe/London, total 1h 00m."
    )


def test_allowed_users_and_roles() -> None:
    alice = Caller("1", frozenset({"r1"}))
    bob = Caller("2", frozenset({"r2"}))
    assert is_allowed(alice, (), ())
    assert is_allowed(alice, ("1",), ())
    assert not is_allowed(bob, ("1",), ())
    assert is_allowed(bob, ("1",), ("r2",))
    assert not is_allowed(bob, (), ("r1",))
