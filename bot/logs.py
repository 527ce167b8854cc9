"""One structured log line per command, and the per-command count of Notion requests."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from typing import Final

import httpx

__all__ = [
    "COMMAND_LOGGER",
    "CommandRecord",
    "CountingTransport",
    "RequestCounter",
    "count_requests",
    "elapsed_ms",
    "log_command",
    "quiet_bad_signatures",
    "start_counting",
]

#: Name of the logger that receives one JSON line per command.
COMMAND_LOGGER: Final = "timetrack.commands"

_log = logging.getLogger(COMMAND_LOGGER)


@dataclass(slots=True)
class RequestCounter:
    """HTTP requests sent to Notion on behalf of one command (retries included), and how many
    of them changed something (``writes``: creates and updates Notion accepted)."""

    count: int = 0
    writes: int = 0


_counter: ContextVar[RequestCounter | None] = ContextVar("timetrack_notion_requests", default=None)


@contextmanager
def count_requests() -> Iterator[RequestCounter]:
    """Count the Notion requests made by the current task (and tasks it starts) in the block."""
    counter = RequestCounter()
    token = _counter.set(counter)
    try:
        yield counter
    finally:
        _counter.reset(token)


def start_counting() -> RequestCounter:
    """Like `count_requests`, for code that cannot wrap a block: counts until the task ends.

    Each interaction runs in its own task with its own copy of the context, so the counter set
    here never leaks into another command.
    """
    counter = RequestCounter()
    _counter.set(counter)
    return counter


class CountingTransport(httpx.AsyncBaseTransport):
    """An httpx transport that counts each request in the current command's `RequestCounter`."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        counter = _counter.get()
        if counter is not None:
            counter.count += 1
        response = await self._inner.handle_async_request(request)
        if counter is not None and response.is_success and _is_write(request):
            counter.writes += 1
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def _is_write(request: httpx.Request) -> bool:
    """A request that changes Notion: any but a read (GET) or a query (a POST that reads)."""
    return request.method != "GET" and not request.url.path.endswith("/query")


@dataclass(slots=True)
class CommandRecord:
    """What one log line says about one command. Never holds tokens, URLs or signatures.

    ``changed``: True once the command changed something (Notion, or the ledger).
    """

    command: str
    user_id: str
    outcome: str = "ok"
    notion_requests: int = 0
    latency_ms: float = 0.0
    acted_for: str | None = None
    changed: bool | None = None
    error: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def log_command(record: CommandRecord) -> None:
    """Emit ``record`` as one JSON object on one line (logger ``timetrack.commands``)."""
    fields = {k: v for k, v in asdict(record).items() if v not in (None, {})}
    extra = fields.pop("extra", {})
    fields.update(extra)
    fields["latency_ms"] = round(record.latency_ms, 1)
    level = logging.INFO if record.error is None else logging.WARNING
    _log.log(level, json.dumps(fields, ensure_ascii=False, sort_keys=False))


class _QuietBadSignatures(logging.Filter):
    """hikari logs a forged or corrupt signature with a full traceback at ERROR level.

    Anyone on the internet can send those; one WARNING line is enough (no traceback, and
    never the signature itself).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("Received a request with an invalid signature"):
            record.msg, record.args = "rejected an interaction with an invalid signature", ()
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_BAD_SIGNATURES = _QuietBadSignatures()


def quiet_bad_signatures() -> None:
    """Install the filter on hikari's interaction-server logger (idempotent)."""
    logger = logging.getLogger("hikari.interaction_server")
    if _BAD_SIGNATURES not in logger.filters:
        logger.addFilter(_BAD_SIGNATURES)


def elapsed_ms(started: float) -> float:
    """Milliseconds since ``started`` (a `time.perf_counter()` reading)."""
    return (time.perf_counter() - started) * 1000.0
