"""Settings read from the environment (and `.env`), validated once at start."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from timesheet.entries.model import dashed_id

if TYPE_CHECKING:
    from timesheet.publishing.schedule import WeekChoice

__all__ = ["ConfigError", "Rounding", "Settings", "load_dotenv_file"]

Rounding = Literal["nearest", "up", "down"]

DEFAULT_CRON: Final = "0 9 * * SUN"
DEFAULT_NOTION_BASE_URL: Final = "https://api.notion.com"
_WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SNOWFLAKE: Final = re.compile(r"^[0-9]{15,21}$")
_HEX_KEY: Final = re.compile(r"^[0-9a-fA-F]{64}$")
_NOTION_ID: Final = re.compile(r"([0-9a-fA-F]{32})(?:[?#].*)?$")
_TRUE: Final = frozenset({"1", "true", "yes", "on"})
_FALSE: Final = frozenset({"0", "false", "no", "off", ""})

T = TypeVar("T")


class ConfigError(Exception):
    """A missing or invalid setting; ``str()`` is one line naming the variable, never its value."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem


def load_dotenv_file(path: str | os.PathLike[str] = ".env") -> None:
    """Load ``.env`` into ``os.environ`` without overriding variables already set."""
    from dotenv import load_dotenv

    load_dotenv(path, override=False)


def _clean(env: Mapping[str, str], name: str) -> str:
    return env.get(name, "").strip()


def _optional(env: Mapping[str, str], name: str, parse: Callable[[str, str], T]) -> T | None:
    raw = _clean(env, name)
    return parse(name, raw) if raw else None


def _notion_id(name: str, raw: str) -> str:
    """Accept a 32-hex id, a dashed UUID or a Notion URL ending in the id; return it dashed."""
    match = _NOTION_ID.search(raw.replace("-", ""))
    if match is None:
        raise ConfigError(name, "not a Notion id (32 hex digits, a UUID or a Notion page URL)")
    return dashed_id(match.group(1))


def _snowflake(name: str, raw: str) -> str:
    if not _SNOWFLAKE.match(raw):
        raise ConfigError(name, "not a Discord id (15 to 21 digits)")
    return raw


def _snowflakes(name: str, raw: str) -> tuple[str, ...]:
    return tuple(_snowflake(name, part.strip()) for part in raw.split(",") if part.strip())


def _public_key(name: str, raw: str) -> str:
    if not _HEX_KEY.match(raw):
        raise ConfigError(name, "not a Discord public key (64 hex digits)")
    return raw.lower()


def _url(name: str, raw: str) -> str:
    if not re.match(r"^https?://[^\s/]+", raw):
        raise ConfigError(name, "not an http(s) URL")
    return raw.rstrip("/")


def _token(name: str, raw: str) -> str:
    if any(ch.isspace() for ch in raw):
        raise ConfigError(name, "contains white space")
    return raw


def _timezone(name: str, raw: str) -> ZoneInfo:
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(name, "not an IANA time zone such as Europe/London") from None


def _bool(name: str, raw: str) -> bool:
    value = raw.lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(name, "expected true or false")


def _week_start(name: str, raw: str) -> int:
    value = raw.lower()
    if value.isdigit() and int(value) < 7:
        return int(value)
    for index, day in enumerate(_WEEKDAYS):
        if len(value) >= 3 and day.startswith(value):
            return index
    raise ConfigError(name, "expected a weekday name (monday ... sunday) or 0-6 with 0 = Monday")


def _round_minutes(name: str, raw: str) -> int:
    if not raw.isdigit() or not 0 <= int(raw) <= 60:
        raise ConfigError(name, "expected whole minutes from 0 (no rounding) to 60")
    return int(raw)


def _one_of(name: str, raw: str, options: Mapping[str, T], expected: str) -> T:
    try:
        return options[raw.lower()]
    except KeyError:
        raise ConfigError(name, f"expected {expected}") from None


_ROUNDINGS: Final[Mapping[str, Rounding]] = {"nearest": "nearest", "up": "up", "down": "down"}
_WEEK_CHOICES: Final[Mapping[str, WeekChoice]] = {"current": "current", "last": "last"}


def _rounding(name: str, raw: str) -> Rounding:
    return _one_of(name, raw, _ROUNDINGS, "nearest, up or down")


def _timesheet_week(name: str, raw: str) -> WeekChoice:
    return _one_of(
        name,
        raw,
        _WEEK_CHOICES,
        "current or last, or nothing (a post on the week's last day covers that week, "
        "any other the last complete week)",
    )


def _cron(name: str, raw: str) -> str:
    from timesheet.publishing.schedule import CronSchedule

    try:
        CronSchedule.parse(raw)
    except ValueError as exc:
        raise ConfigError(name, f"invalid cron expression ({exc})") from None
    return raw


def _clients(name: str, raw: str) -> tuple[str, ...]:
    """Each name checked as a client typed in Discord is (normalised, no control character,
    at most 100 characters), once."""
    from timesheet.entries.checks import MAX_CLIENT_LENGTH, check_text
    from timesheet.entries.errors import InvalidInput

    clients: list[str] = []
    for part in raw.split(","):
        if not part.strip():
            continue
        try:
            clients.append(check_text("client", part, limit=MAX_CLIENT_LENGTH))
        except InvalidInput as exc:
            raise ConfigError(name, f"a client name {exc.problem}") from None
    return tuple(dict.fromkeys(clients))


_CURRENCY: Final = re.compile(r"^[A-Z]{3}$")
DEFAULT_REMIND_AFTER: Final = timedelta(hours=8)
DEFAULT_ALERT_AFTER: Final = timedelta(minutes=15)
DEFAULT_BACKUP_KEEP: Final = 8


def _rates(name: str, raw: str) -> dict[str, Decimal]:
    """``Acme:120,Globex:95.5``: an hourly rate (at least 0) per client name."""
    from timesheet.entries.checks import MAX_CLIENT_LENGTH, check_text
    from timesheet.entries.errors import InvalidInput

    rates: dict[str, Decimal] = {}
    for part in raw.split(","):
        if not part.strip():
            continue
        client, sep, amount = part.rpartition(":")
        if not sep or not client.strip():
            raise ConfigError(name, "expected client:rate pairs such as Acme:120,Globex:95")
        try:
            value = Decimal(amount.strip())
        except InvalidOperation:
            raise ConfigError(name, f"the rate of {client.strip()!r} is not a number") from None
        if not value.is_finite() or value < 0:
            raise ConfigError(name, f"the rate of {client.strip()!r} must be 0 or more")
        try:
            rates[check_text("client", client, limit=MAX_CLIENT_LENGTH)] = value
        except InvalidInput as exc:
            raise ConfigError(name, f"a client name {exc.problem}") from None
    return rates


def _currency(name: str, raw: str) -> str:
    if not _CURRENCY.match(raw.upper()):
        raise ConfigError(name, "expected a 3-letter ISO 4217 currency code such as EUR")
    return raw.upper()


def _span(name: str, raw: str) -> timedelta:
    """A duration such as ``8h``, ``90m`` or ``1h30m`` (more than 0, at most 24 h)."""
    from timesheet.entries.errors import InvalidTime
    from timesheet.entries.when import parse_duration

    try:
        return parse_duration(raw, field=name)
    except InvalidTime:
        raise ConfigError(
            name, "expected a duration such as 8h, 90m or 1h30m (at most 24h)"
        ) from None


def _span_or_off(name: str, raw: str) -> timedelta | None:
    return None if raw.lower() in ("off", "0", "false", "no") else _span(name, raw)


def _count(name: str, raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
        raise ConfigError(name, "expected a whole number from 1 to 10000")
    return int(raw)


def _port(name: str, raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 65_535:
        raise ConfigError(name, "expected a TCP port from 1 to 65535")
    return int(raw)


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting timetrack reads; see `.env.example` for what each one means."""

    discord_token: str | None = field(default=None, repr=False)
    discord_public_key: str | None = None
    discord_guild_id: str | None = None
    discord_api_url: str | None = None
    notion_token: str | None = field(default=None, repr=False)
    notion_database_id: str | None = None
    notion_parent_page_id: str | None = None
    notion_base_url: str = DEFAULT_NOTION_BASE_URL
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    preset_clients: tuple[str, ...] = ()
    presets_only: bool = False
    timetrack_user: str | None = None
    timesheet_webhook_url: str | None = field(default=None, repr=False)
    timesheet_cron: str = DEFAULT_CRON
    timesheet_week: WeekChoice | None = None
    timesheet_users: tuple[str, ...] = ()
    week_start: int = 0
    round_minutes: int = 0
    rounding: Rounding = "nearest"
    data_dir: Path = Path("data")
    allowed_user_ids: tuple[str, ...] = ()
    allowed_role_ids: tuple[str, ...] = ()
    #: Issue 12: the Clients and Targets databases, and rates for clients without one there.
    notion_clients_database_id: str | None = None
    notion_targets_database_id: str | None = None
    rates: Mapping[str, Decimal] = field(default_factory=dict)
    currency: str | None = None
    #: Issue 13: how many weekly backups ``timetrack backup`` keeps.
    backup_keep: int = DEFAULT_BACKUP_KEEP
    #: Issue 14: forgotten-timer reminders (None = off), alerts and the health port.
    remind_after: timedelta | None = DEFAULT_REMIND_AFTER
    alert_webhook_url: str | None = field(default=None, repr=False)
    alert_after: timedelta = DEFAULT_ALERT_AFTER
    health_port: int | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and validate every variable; raise `ConfigError` on the first bad one."""
        e = os.environ if env is None else env
        return cls(
            discord_token=_optional(e, "DISCORD_TOKEN", _token),
            discord_public_key=_optional(e, "DISCORD_PUBLIC_KEY", _public_key),
            discord_guild_id=_optional(e, "DISCORD_GUILD_ID", _snowflake),
            discord_api_url=_optional(e, "DISCORD_API_URL", _url),
            notion_token=_optional(e, "NOTION_TOKEN", _token),
            notion_database_id=_optional(e, "NOTION_DATABASE_ID", _notion_id),
            notion_parent_page_id=_optional(e, "NOTION_PARENT_PAGE_ID", _notion_id),
            notion_base_url=_optional(e, "NOTION_BASE_URL", _url) or DEFAULT_NOTION_BASE_URL,
            timezone=_optional(e, "TIMEZONE", _timezone) or ZoneInfo("UTC"),
            preset_clients=_optional(e, "PRESET_CLIENTS", _clients) or (),
            presets_only=bool(_optional(e, "PRESETS_ONLY", _bool)),
            timetrack_user=_optional(e, "TIMETRACK_USER", _snowflake),
            timesheet_webhook_url=_optional(e, "TIMESHEET_WEBHOOK_URL", _url),
            timesheet_cron=_optional(e, "TIMESHEET_CRON", _cron) or DEFAULT_CRON,
            timesheet_week=_optional(e, "TIMESHEET_WEEK", _timesheet_week),
            timesheet_users=_optional(e, "TIMESHEET_USERS", _snowflakes) or (),
            week_start=_optional(e, "WEEK_START", _week_start) or 0,
            round_minutes=_optional(e, "ROUND_MINUTES", _round_minutes) or 0,
            rounding=_optional(e, "ROUNDING", _rounding) or "nearest",
            data_dir=Path(_clean(e, "DATA_DIR") or "data"),
            allowed_user_ids=_optional(e, "ALLOWED_USER_IDS", _snowflakes) or (),
            allowed_role_ids=_optional(e, "ALLOWED_ROLE_IDS", _snowflakes) or (),
            notion_clients_database_id=_optional(e, "NOTION_CLIENTS_DATABASE_ID", _notion_id),
            notion_targets_database_id=_optional(e, "NOTION_TARGETS_DATABASE_ID", _notion_id),
            rates=_optional(e, "RATES", _rates) or {},
            currency=_optional(e, "CURRENCY", _currency),
            backup_keep=_optional(e, "BACKUP_KEEP", _count) or DEFAULT_BACKUP_KEEP,
            remind_after=(
                _span_or_off("REMIND_AFTER", _clean(e, "REMIND_AFTER"))
                if _clean(e, "REMIND_AFTER")
                else DEFAULT_REMIND_AFTER
            ),
            alert_webhook_url=_optional(e, "ALERT_WEBHOOK_URL", _url),
            alert_after=_optional(e, "ALERT_AFTER", _span) or DEFAULT_ALERT_AFTER,
            health_port=_optional(e, "HEALTH_PORT", _port),
        )

    def check_data_dir(self) -> None:
        """Make DATA_DIR if missing and check timetrack can keep its files there (the ledger,
        ``outbox.sqlite3``, and the record of posted reports, ``posted-reports.json``); raise
        `ConfigError` naming DATA_DIR otherwise. Call it at start, before anything is written.
        """
        _check_data_dir(self.data_dir)

    def require(self, *variables: str) -> None:
        """Raise `ConfigError` for the first of ``variables`` that is not set."""
        for variable in variables:
            if getattr(self, variable.lower()) in (None, ""):
                raise ConfigError(variable, "is not set (see .env.example)")


def _check_data_dir(path: Path) -> None:
    from timesheet.publishing.schedule import PostedLog
    from timesheet.tracking.ledger import LEDGER_FILENAME

    def fail(problem: str) -> ConfigError:
        return ConfigError("DATA_DIR", problem)

    try:
        blocking = next((p for p in (path, *path.parents) if p.exists()), None)
        if blocking is not None and not blocking.is_dir():
            raise fail(f"{blocking} is a file, not a folder")
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # no permission, a name too long, a read-only file system
        raise fail(f"can't create {path} ({_why(exc)})") from None
    try:
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise fail(f"{path} is not writable ({_why(exc)})") from None
    ledger = path / LEDGER_FILENAME
    if ledger.exists():
        if not ledger.is_file():
            raise fail(f"{ledger} is not a file")
        try:
            uri = f"{ledger.resolve().as_uri()}?mode=ro"
            with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
                db.execute("PRAGMA schema_version")
        except sqlite3.Error as exc:
            raise fail(f"{ledger} is not a timetrack ledger ({exc})") from None
    try:
        PostedLog(path)
    except (OSError, ValueError) as exc:
        raise fail(str(exc)) from None


def _why(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
