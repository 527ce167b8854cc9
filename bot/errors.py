"""Every error a command can meet, as one clear line for the user (no traceback, no secret)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
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
from timesheet.entries.store_errors import NoDataSourceError, NotAnEntryError

if TYPE_CHECKING:
    from notion_client import NotionClient

__all__ = [
    "SAVED_BUT_UNSHOWN",
    "UNEXPECTED",
    "UNEXPECTED_AFTER_CHANGE",
    "UNSHOWN",
    "ErrorReply",
    "ReplyFailed",
    "describe_error",
    "explain_error",
]

#: The answer to an error of our own (a bug): no detail, and the assurance that matters.
UNEXPECTED: Final = "Something went wrong on our side; nothing was changed."
#: The same after the command had changed something: never tell people nothing changed.
UNEXPECTED_AFTER_CHANGE: Final = (
    "Something went wrong on our side after part of your change was saved: /active shows "
    "where your timer stands."
)
#: The answer when Discord did not take the reply to a command that changed something.
SAVED_BUT_UNSHOWN: Final = (
    "Your change was saved, but its reply could not be shown: /active shows where your "
    "timer stands."
)
UNSHOWN: Final = "The reply could not be shown; nothing was changed."
_WHERE_IT_STANDS: Final = "part of your change was saved: /active shows where your timer stands"


class ReplyFailed(Exception):
    """Discord did not take a command's reply (or its acknowledgement). ``changed``: the
    command had already changed something (a Notion write, or an operation saved for later).

    ``str()`` and ``cause_text()`` never quote the failed request: its URL carries the
    interaction's token.
    """

    def __init__(self, command: str, cause: BaseException, *, changed: bool) -> None:
        super().__init__(f"the reply to {command} could not be sent")
        self.command = command
        self.cause = cause
        self.changed = changed

    def cause_text(self) -> str:
        """``NotFoundError (HTTP 404, Discord code 10062)``: the kind of failure, no URL."""
        details = []
        status = getattr(self.cause, "status", None)
        if isinstance(status, int):
            details.append(f"HTTP {int(status)}")
        code = getattr(self.cause, "code", None)
        if isinstance(code, int) and code:
            details.append(f"Discord code {code}")
        name = type(self.cause).__name__
        return f"{name} ({', '.join(details)})" if details else name


@dataclass(frozen=True, slots=True)
class ErrorReply:
    """One line for the user, and a short outcome word for the log."""

    line: str
    outcome: str


_UNAVAILABLE = "Notion is unavailable right now (it did not answer after several tries). "


def describe_error(
    exc: BaseException, *, changed: bool = False, tz: tzinfo | None = None
) -> ErrorReply:
    """Map an error to one clear line. Never a traceback, token, URL or signature.
    ``changed``: the command changed something before it failed, so no line says that
    nothing changed. ``tz``: the zone a refusal names its times in (else UTC)."""
    if isinstance(exc, ReplyFailed):
        saved = changed or exc.changed
        return ErrorReply(SAVED_BUT_UNSHOWN if saved else UNSHOWN, "reply_failed")
    if isinstance(exc, TrackerError):
        return ErrorReply(str(exc) if tz is None else exc.line(tz), "refused")
    if isinstance(exc, ConfigError):
        return ErrorReply(f"timetrack is misconfigured: {exc}", "config_error")
    if isinstance(exc, NotAnEntryError):
        return ErrorReply(f"That page is not a time entry: {exc.reason}.", "refused")
    if isinstance(exc, NoDataSourceError):
        return ErrorReply(
            "The Notion database has no data source; run `timetrack setup`.", "notion_schema"
        )
    if isinstance(exc, NotionError):
        return _describe_notion(exc, changed)
    return ErrorReply(UNEXPECTED_AFTER_CHANGE if changed else UNEXPECTED, "error")


def _describe_notion(exc: NotionError, changed: bool) -> ErrorReply:
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
        saved = _WHERE_IT_STANDS if changed else "nothing was saved, try again in a minute"
        return ErrorReply(_UNAVAILABLE + f"It is rate-limiting us; {saved}.", "notion_unavailable")
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
    saved = _WHERE_IT_STANDS if changed else "nothing was changed"
    return ErrorReply(f"Notion returned an error; {saved}.", "notion_error")


async def explain_error(
    exc: BaseException,
    notion: NotionClient | None,
    database_id: str | None,
    *,
    changed: bool = False,
    tz: tzinfo | None = None,
) -> ErrorReply:
    """Like `describe_error`; when Notion refused a write or query as invalid, read the
    database's schema (two requests) and name exactly what is missing or of the wrong type."""
    reply = describe_error(exc, changed=changed, tz=tz)
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
