"""Every error a command can meet, as one clear line for the user (no traceback, no secret)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from notion_client import (
    IncompleteQueryError,
    NotionError,
    NotionTransportError,
    ObjectNotFoundError,
    RateLimitedError,
    RestrictedResourceError,
    ServerError,
    UnauthorizedError,
    ValidationError,
)
from timesheet.config import ConfigError
from timesheet.entries.errors import TrackerError
from timesheet.entries.store import NoDataSourceError, NotAnEntryError

if TYPE_CHECKING:
    from notion_client import NotionClient

__all__ = ["UNEXPECTED", "ErrorReply", "describe_error", "explain_error"]

#: The answer to an error of our own (a bug): no detail, and the assurance that matters.
UNEXPECTED: Final = "Something went wrong on our side; nothing was changed."


@dataclass(frozen=True, slots=True)
class ErrorReply:
    """One line for the user, and a short outcome word for the log."""

    line: str
    outcome: str


_UNAVAILABLE = "Notion is unavailable right now (it did not answer after several tries). "


def describe_error(exc: BaseException) -> ErrorReply:
    """Map an error to one clear line. Never a traceback, token, URL or signature."""
    if isinstance(exc, TrackerError):
        return ErrorReply(str(exc), "refused")
    if isinstance(exc, ConfigError):
        return ErrorReply(f"timetrack is misconfigured: {exc}", "config_error")
    if isinstance(exc, NotAnEntryError):
        return ErrorReply(f"That page is not a time entry: {exc.reason}.", "refused")
    if isinstance(exc, NoDataSourceError):
        return ErrorReply(
            "The Notion database has no data source; run `timetrack setup`.", "notion_schema"
        )
    if isinstance(exc, NotionError):
        return _describe_notion(exc)
    return ErrorReply(UNEXPECTED, "error")


def _describe_notion(exc: NotionError) -> ErrorReply:
    if isinstance(exc, UnauthorizedError):
        return ErrorReply(
            "Notion rejected the token: check NOTION_TOKEN (the integration secret).",
            "notion_unauthorized",
        )
    if isinstance(exc, ObjectNotFoundError):
        return ErrorReply(
            "Notion can't find the timesheet database: share the database with the "
            "integration (⋯ → Connections) and check NOTION_DATABASE_ID.",
            "notion_not_found",
        )
    if isinstance(exc, RestrictedResourceError):
        return ErrorReply(
            "Notion refused access: give the integration read, update and insert "
            "capabilities on the database.",
            "notion_forbidden",
        )
    if isinstance(exc, RateLimitedError):
        return ErrorReply(
            _UNAVAILABLE + "It is rate-limiting us; nothing was saved, try again in a minute.",
            "notion_unavailable",
        )
    if isinstance(exc, ServerError | NotionTransportError):
        return ErrorReply(
            _UNAVAILABLE + "The change may not have been saved: check again in a minute.",
            "notion_unavailable",
        )
    if isinstance(exc, ValidationError):
        return ErrorReply(
            "Notion refused the entry; the database may be missing properties: "
            "run `timetrack setup` (and `timetrack setup --fix`).",
            "notion_invalid",
        )
    if isinstance(exc, IncompleteQueryError):
        return ErrorReply("Too many entries for one query; narrow the period.", "notion_incomplete")
    return ErrorReply("Notion returned an error; nothing was changed.", "notion_error")


async def explain_error(
    exc: BaseException, notion: NotionClient | None, database_id: str | None
) -> ErrorReply:
    """Like `describe_error`; when Notion refused a write or query as invalid, read the
    database's schema (two requests) and name exactly what is missing or of the wrong type."""
    reply = describe_error(exc)
    if not isinstance(exc, ValidationError) or notion is None or database_id is None:
        return reply
    from timesheet.entries.setup import check_database

    try:
        problems = await check_database(notion, database_id)
    except NotionError:
        return reply
    if not problems:
        return reply
    listed = "; ".join(str(p).split(";", 1)[0] for p in problems)
    fix = " Run `timetrack setup --fix`." if any(p.fixable for p in problems) else ""
    return ErrorReply(f"The Notion database is not ready: {listed}.{fix}", "notion_schema")
