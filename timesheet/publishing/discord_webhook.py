"""Post a rendered weekly timesheet to a Discord webhook: one embed, the CSV and PNG attached.

Exactly-once: Discord's execute-webhook endpoint takes no idempotency key, so retrying a
request that reached Discord could post the report twice. We retry only when the answer says
the message was not created: 429 (rate limited, not applied), a connection never established or
a body never fully sent, and 5xx (Discord failed the request; retried with backoff as the spec
asks, accepting the small risk that a 5xx follows a stored message). A request that was sent but
whose answer was lost (read timeout, dropped connection) is never retried: it raises
:class:`PublishError` with ``ambiguous=True`` so the caller can record "maybe posted".
``?wait=true`` (the library default) makes Discord confirm creation and return the message id.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final

import httpx

from notion_client import backoff_ceiling
from timesheet.text import ELLIPSIS, clip

__all__ = [
    "EMBED_DESCRIPTION_LIMIT",
    "EMBED_TITLE_LIMIT",
    "EMBED_TOTAL_LIMIT",
    "FIELD_NAME_LIMIT",
    "FIELD_VALUE_LIMIT",
    "MESSAGE_CONTENT_LIMIT",
    "TABLE_TOO_LONG_NOTE",
    "PublishError",
    "build_embed",
    "post_message",
    "publish_timesheet",
    "redact_webhooks",
]

logger = logging.getLogger(__name__)

# Discord's documented message limits (characters).
MESSAGE_CONTENT_LIMIT: Final = 2000
EMBED_TITLE_LIMIT: Final = 256
EMBED_DESCRIPTION_LIMIT: Final = 4096
FIELD_NAME_LIMIT: Final = 256
FIELD_VALUE_LIMIT: Final = 1024
EMBED_FIELD_COUNT_LIMIT: Final = 25
EMBED_TOTAL_LIMIT: Final = 6000
ATTACHMENT_BYTES_LIMIT: Final = 10 * 1024 * 1024  # default upload limit for a webhook message

TABLE_TOO_LONG_NOTE: Final = (
    "The table ({chars:,} characters) is too large for a Discord embed: "
    "full table in the attached CSV."
)
_FILENAME: Final = re.compile(r"[A-Za-z0-9_.-]{1,100}")
_WEBHOOK_PATH: Final = re.compile(r"(/webhooks/[^/\s?#]+/)[^/\s?#\"'<>]+")
# Transport failures where the request provably did not reach Discord in full: safe to retry.
_NOT_SENT: Final = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.WriteError,
    httpx.WriteTimeout,
)
_AMBIGUOUS: Final = (
    httpx.ReadError,
    httpx.ReadTimeout,
    httpx.RemoteProtocolError,
    httpx.CloseError,
)

Sleep = Callable[[float], Awaitable[None]]


class PublishError(Exception):
    """The timesheet could not be posted. The message never contains the webhook URL.

    ``ambiguous`` is true when the request may have reached Discord (its answer was lost), so
    the message may exist: do not post it again blindly. ``status`` is the last HTTP status.
    """

    def __init__(
        self, message: str, *, status: int | None = None, ambiguous: bool = False, attempts: int = 0
    ) -> None:
        super().__init__(message)
        self.status = status
        self.ambiguous = ambiguous
        self.attempts = attempts


def redact_webhooks(text: str, *secrets: str) -> str:
    """``text`` with webhook tokens (``/webhooks/<id>/<token>``) and any ``secrets`` masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _WEBHOOK_PATH.sub(r"\1***", text)


class _RedactWebhookUrls(logging.Filter):
    """httpx logs every request URL at INFO; a webhook URL carries its token in the path."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_webhooks(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def _install_log_redaction() -> None:
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactWebhookUrls) for f in httpx_logger.filters):
        httpx_logger.addFilter(_RedactWebhookUrls())


def _embed_size(embed: dict[str, Any]) -> int:
    fields = embed.get("fields", [])
    return (
        len(embed.get("title", ""))
        + len(embed.get("description", ""))
        + sum(len(f["name"]) + len(f["value"]) for f in fields)
        + len(embed.get("footer", {}).get("text", ""))
    )


def build_embed(
    *,
    title: str,
    table_text: str,
    fields: Sequence[tuple[str, str]] = (),
    footer: str | None = None,
    image_name: str | None = None,
) -> dict[str, Any]:
    """The embed dict for the message, within Discord's limits.

    The table goes in the description as a code block. If that does not fit (4,096 characters,
    or 6,000 for the whole embed), the description becomes a note pointing to the attached CSV
    rather than a cut table. Title, field names/values and footer longer than their limits end
    in "…"; trailing fields that would break the 6,000 total are dropped and counted.
    """
    if len(fields) > EMBED_FIELD_COUNT_LIMIT:
        raise ValueError(f"at most {EMBED_FIELD_COUNT_LIMIT} embed fields, got {len(fields)}")
    embed: dict[str, Any] = {"title": clip(title, EMBED_TITLE_LIMIT), "type": "rich"}
    block = f"```\n{table_text}\n```"
    embed["description"] = block
    kept = [
        {
            "name": clip(name, FIELD_NAME_LIMIT),
            "value": clip(value, FIELD_VALUE_LIMIT),
            "inline": True,
        }
        for name, value in fields
    ]
    if kept:
        embed["fields"] = kept
    if footer:
        embed["footer"] = {"text": clip(footer, 2048)}
    if image_name is not None:
        embed["image"] = {"url": f"attachment://{image_name}"}
    if len(block) > EMBED_DESCRIPTION_LIMIT or _embed_size(embed) > EMBED_TOTAL_LIMIT:
        embed["description"] = TABLE_TOO_LONG_NOTE.format(chars=len(table_text))
    dropped = 0
    while _embed_size(embed) > EMBED_TOTAL_LIMIT and kept:
        kept.pop()
        dropped += 1
        marker = {"name": ELLIPSIS, "value": f"{dropped} more field(s) left out", "inline": False}
        embed["fields"] = [*kept, marker]
    return embed


def _check_filename(name: str) -> None:
    if not _FILENAME.fullmatch(name):
        raise ValueError(f"attachment name {name!r}: use 1-100 of A-Z a-z 0-9 _ . -")


def _retry_after(response: httpx.Response, default: float) -> float:
    """Seconds Discord asks us to wait: JSON ``retry_after`` first, then the headers."""
    try:
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("retry_after"), int | float):
            return max(0.0, float(body["retry_after"]))
    except ValueError:
        pass
    for header in ("Retry-After", "X-RateLimit-Reset-After"):
        try:
            return max(0.0, float(response.headers[header]))
        except (KeyError, ValueError):
            continue
    return default


def _discord_error(response: httpx.Response, *secrets: str) -> str:
    """A short description of Discord's error body (``message`` and ``code`` when JSON)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "message" in body:
        text = str(body["message"])
        if "code" in body:
            text += f" (code {body['code']})"
    else:
        text = response.text.strip().replace("\n", " ")
    return redact_webhooks(text[:300], *secrets)


def _webhook_token(url: httpx.URL) -> str:
    parts = [p for p in url.path.split("/") if p]
    return parts[-1] if len(parts) >= 2 else ""


async def publish_timesheet(
    webhook_url: str,
    *,
    title: str,
    table_text: str,
    csv_text: str,
    csv_name: str = "timesheet.csv",
    png: bytes | None = None,
    png_name: str = "timesheet.png",
    fields: Sequence[tuple[str, str]] = (),
    footer: str | None = None,
    content: str | None = None,
    username: str | None = None,
    request_timeout: float = 30.0,
    max_attempts: int = 5,
    base_delay: float = 1.0,
    max_delay: float = 60.0,
    max_retry_after: float = 300.0,
    sleep: Sleep = asyncio.sleep,
) -> str | None:
    """Post one message: an embed (``title``, ``fields``, the table), the CSV and PNG attached.

    ``table_text`` is the monospaced table (the code fence is added here); ``fields`` are short
    ``(name, value)`` pairs such as ``("Total", "38.50 h")``. The PNG, when given, is shown in the
    embed. 429 waits Discord's ``retry_after``; 5xx and unsent requests back off exponentially
    (``base_delay`` doubling up to ``max_delay``); at most ``max_attempts`` requests. Returns the
    message id. Raises :class:`PublishError` (never containing the URL) when it cannot post, and
    ``ValueError`` for a bad attachment name or too many fields.
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    try:
        url = httpx.URL(webhook_url)
    except httpx.InvalidURL:
        raise PublishError("the timesheet webhook URL is not a valid URL") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise PublishError("the timesheet webhook URL must be an http(s) URL")
    secrets = (webhook_url, _webhook_token(url))
    _check_filename(csv_name)
    files: list[tuple[str, bytes]] = [(csv_name, csv_text.encode("utf-8"))]
    if png is not None:
        _check_filename(png_name)
        if png_name == csv_name:
            raise ValueError("the CSV and PNG attachments need different names")
        files.append((png_name, png))
    for name, data in files:
        if len(data) > ATTACHMENT_BYTES_LIMIT:
            raise ValueError(f"attachment {name} is {len(data):,} bytes; the limit is 10 MiB")

    embed = build_embed(
        title=title,
        table_text=table_text,
        fields=fields,
        footer=footer,
        image_name=png_name if png is not None else None,
    )
    from discord_webhook import AsyncDiscordWebhook  # imports requests too: only when posting

    hook = AsyncDiscordWebhook(
        url=webhook_url,
        content=clip(content, MESSAGE_CONTENT_LIMIT) if content else None,
        username=username or False,
        allowed_mentions={"parse": []},
        timeout=request_timeout,
        wait=True,
    )
    hook.add_embed(embed)
    for name, data in files:
        hook.add_file(file=data, filename=name)
    _install_log_redaction()
    return await _send(hook, secrets, max_attempts, base_delay, max_delay, max_retry_after, sleep)


async def post_message(
    webhook_url: str,
    content: str,
    *,
    username: str | None = None,
    request_timeout: float = 10.0,
    max_attempts: int = 3,
    sleep: Sleep = asyncio.sleep,
) -> str | None:
    """Post one plain message (no mentions parsed) with the same retries and errors as
    `publish_timesheet`; returns the message id."""
    try:
        url = httpx.URL(webhook_url)
    except httpx.InvalidURL:
        raise PublishError("the webhook URL is not a valid URL") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise PublishError("the webhook URL must be an http(s) URL")
    from discord_webhook import AsyncDiscordWebhook

    hook = AsyncDiscordWebhook(
        url=webhook_url,
        content=clip(content, MESSAGE_CONTENT_LIMIT),
        username=username or False,
        allowed_mentions={"parse": []},
        timeout=request_timeout,
        wait=True,
    )
    _install_log_redaction()
    secrets = (webhook_url, _webhook_token(url))
    return await _send(hook, secrets, max_attempts, 1.0, 10.0, 30.0, sleep, "message")


async def _send(
    hook: Any,
    secrets: tuple[str, ...],
    max_attempts: int,
    base_delay: float,
    max_delay: float,
    max_retry_after: float,
    sleep: Sleep,
    what: str = "timesheet post",
) -> str | None:
    status: int | None = None
    for attempt in range(1, max_attempts + 1):
        backoff = backoff_ceiling(attempt, base_delay, max_delay)
        try:
            # The library builds the multipart body (payload_json + files) and sends it once;
            # its execute() is not used: it logs bodies, parses error pages as JSON and its
            # rate-limit loop is unbounded with a fixed sleep.
            response: httpx.Response = await hook.api_post_request()
        except _NOT_SENT as exc:
            problem, delay = f"could not reach Discord ({type(exc).__name__})", backoff
        except _AMBIGUOUS as exc:
            raise PublishError(
                f"the {what} may or may not have been created: Discord's answer was "
                f"lost ({type(exc).__name__}); not retried to avoid posting it twice",
                ambiguous=True,
                attempts=attempt,
                status=status,
            ) from None
        except httpx.HTTPError as exc:
            raise PublishError(
                f"could not send the {what} ({type(exc).__name__}: "
                f"{redact_webhooks(str(exc), *secrets)})",
                attempts=attempt,
                status=status,
            ) from None
        except Exception as exc:  # e.g. httpx.InvalidURL: its text would quote the URL
            raise PublishError(
                f"could not send the {what} ({type(exc).__name__})",
                attempts=attempt,
                status=status,
            ) from None
        else:
            status = response.status_code
            if response.is_success:
                return _message_id(response)
            if status == 429:
                delay = _retry_after(response, default=backoff)
                problem = f"rate limited by Discord (retry after {delay:g} s)"
                if delay > max_retry_after:
                    raise PublishError(
                        f"the {what} was {problem}, longer than the "
                        f"{max_retry_after:g} s we wait",
                        status=status,
                        attempts=attempt,
                    )
            elif status >= 500:
                problem, delay = f"Discord answered HTTP {status}", backoff
            else:
                raise PublishError(
                    f"Discord refused the {what}: HTTP {status}: "
                    f"{_discord_error(response, *secrets)}",
                    status=status,
                    attempts=attempt,
                )
        if attempt == max_attempts:
            raise PublishError(
                f"gave up sending the {what} after {attempt} attempt(s): {problem}",
                status=status,
                attempts=attempt,
            )
        logger.warning(
            "%s attempt %d/%d failed: %s; retrying in %.1f s",
            what,
            attempt,
            max_attempts,
            problem,
            delay,
        )
        await sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def _message_id(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    message_id = body.get("id") if isinstance(body, dict) else None
    return str(message_id) if message_id is not None else None
