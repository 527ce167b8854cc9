"""What happens around every command: authorize, defer, count Notion requests, log one line."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import crescent

from bot.auth import REFUSAL, Caller, caller_from, is_allowed
from bot.errors import ReplyFailed, describe_error, explain_error
from bot.logs import CommandRecord, RequestCounter, elapsed_ms, log_command, start_counting
from bot.replies import Answerer, Responder

if TYPE_CHECKING:
    from bot.model import Model

__all__ = [
    "CommandRun",
    "Plugin",
    "begin_command",
    "begin_modal_command",
    "current_run",
    "current_run_or_none",
    "fail_command",
    "finish_command",
    "model_of",
    "new_plugin",
    "new_run",
]

Plugin = crescent.Plugin[Any, "Model"]

_log = logging.getLogger("timetrack.bot")


@dataclass(slots=True)
class CommandRun:
    """One command (or button click) being handled: who asked, how to answer, and what goes
    in its log line."""

    caller: Caller
    responder: Answerer
    record: CommandRecord
    counter: RequestCounter
    started: float = field(default_factory=time.perf_counter)
    finished: bool = False

    @property
    def changed(self) -> bool:
        """Whether the command changed something yet: a result said so (a start, an end,
        saved for later too), or Notion accepted a write on its behalf."""
        return bool(self.record.changed) or self.counter.writes > 0

    async def reply(self, content: str, **kwargs: Any) -> None:
        await self.deliver(self.responder.send(content, **kwargs))

    async def refused_unless_manager(self, answer: str) -> bool:
        """True (after answering ``answer`` and logging the refusal) when the caller lacks
        Manage Server: the check behind the managers' commands, whatever Discord shows whom."""
        if self.caller.manages_server:
            return False
        self.record.outcome = "refused"
        await self.reply(answer)
        return True

    async def deliver(self, sending: Awaitable[None]) -> None:
        """Await an answer to Discord (an acknowledgement, a reply, an update); if Discord does
        not take it, raise `ReplyFailed`, which says whether the command changed something."""
        try:
            await sending
        except Exception as exc:
            raise ReplyFailed(self.record.command, exc, changed=self.changed) from exc

    def finish(self, outcome: str | None = None, error: str | None = None) -> None:
        """Write the command's log line (once)."""
        if self.finished:
            return
        self.finished = True
        if outcome is not None:
            self.record.outcome = outcome
        if error is not None:
            self.record.error = error
        self.record.notion_requests = self.counter.count
        self.record.latency_ms = elapsed_ms(self.started)
        log_command(self.record)


_current: ContextVar[CommandRun | None] = ContextVar("timetrack_command_run", default=None)


def current_run() -> CommandRun:
    """The run of the command handled by this task (set by `begin_command`)."""
    run = _current.get()
    if run is None:
        raise RuntimeError("no command is being handled in this task")
    return run


def current_run_or_none() -> CommandRun | None:
    return _current.get()


def new_run(ctx: crescent.Context) -> CommandRun:
    """Start handling ``ctx`` in this task: count its Notion requests from now on."""
    counter = start_counting()
    caller = caller_from(ctx.user, ctx.member)
    run = CommandRun(
        caller=caller,
        responder=Responder(ctx),
        record=CommandRecord(command=_command_name(ctx), user_id=caller.user_id),
        counter=counter,
    )
    _current.set(run)
    return run


def model_of(ctx: crescent.Context | crescent.AutocompleteContext) -> Model:
    """The Model of the client that received this interaction."""
    from bot.model import Model

    model = ctx.client.model
    if not isinstance(model, Model):
        raise TypeError("the crescent client has no timetrack Model")
    return model


def _command_name(ctx: crescent.Context) -> str:
    return " ".join(p for p in (ctx.group, ctx.sub_group, ctx.command) if p)


async def begin_command(ctx: crescent.Context) -> crescent.HookResult | None:
    """Before every command: refuse people not allowed (nothing written), else defer.

    Runs in the interaction's own task, so the run stored in the context variable is seen by
    the command, `finish_command` and the client's error handler, and by nothing else.
    It must never raise: crescent runs hooks outside its error handling, and in HTTP mode an
    unanswered interaction would hang.
    """
    return await _begin(ctx, defer=True)


async def begin_modal_command(ctx: crescent.Context) -> crescent.HookResult | None:
    """Like `begin_command`, without deferring: for a command that answers with a modal,
    which can only be an interaction's first response."""
    return await _begin(ctx, defer=False)


async def _begin(ctx: crescent.Context, *, defer: bool) -> crescent.HookResult | None:
    run = new_run(ctx)
    try:
        settings = model_of(ctx).settings
        if not is_allowed(run.caller, settings.allowed_user_ids, settings.allowed_role_ids):
            await run.reply(REFUSAL)
            run.finish("not_allowed")
            return crescent.HookResult(exit=True)
        if defer:
            await run.deliver(run.responder.defer())
        if settings.presets_only and settings.notion_clients_database_id:
            await model_of(ctx).accepted_clients()  # PRESETS_ONLY takes the Clients DB's too
    except Exception as exc:
        await fail_command(run, exc)
        return crescent.HookResult(exit=True)
    return None


async def finish_command(ctx: crescent.Context) -> None:
    """After a command that returned normally: log its line."""
    run = _current.get()
    if run is not None:
        run.finish()


async def fail_command(run: CommandRun, exc: BaseException, model: Model | None = None) -> None:
    """Answer an error with one line, log it (a traceback only for our own bugs). Once the
    command changed something, neither the answer nor the log says that nothing changed."""
    changed = run.changed
    try:
        if model is not None:
            settings = model.settings
            reply = await explain_error(
                exc,
                model.notion,
                settings.notion_database_id,
                changed=changed,
                tz=settings.timezone,
            )
        else:
            reply = describe_error(exc, changed=changed)
    except Exception:  # the model may be closed; the plain line is still right
        reply = describe_error(exc, changed=changed)
    after = " after its change was saved" if changed else ""
    if isinstance(exc, ReplyFailed):  # no traceback: the request's URL carries its token
        _log.warning(
            "the reply to %s could not be sent%s: %s", run.record.command, after, exc.cause_text()
        )
    elif reply.outcome == "error":
        _log.error("command %s failed%s", run.record.command, after, exc_info=exc)
    if changed:
        run.record.changed = True
    try:
        await run.reply(reply.line)
    except Exception as send_error:  # Discord unreachable: nothing more we can do
        why = (
            send_error.cause_text()
            if isinstance(send_error, ReplyFailed)
            else type(send_error).__name__
        )
        _log.warning("could not send the error reply for %s: %s", run.record.command, why)
    cause = exc.cause if isinstance(exc, ReplyFailed) else exc
    run.finish(reply.outcome, error=type(cause).__name__)


def new_plugin(*, defer: bool = True) -> Plugin:
    """A plugin whose commands all go through `begin_command` / `finish_command`
    (``defer=False``: `begin_modal_command`, for commands answering with a modal).

    The hooks sit on the plugin (not the client) so loading the same plugin into a second
    client (tests do) does not add them twice.
    """
    begin = begin_command if defer else begin_modal_command
    return Plugin(command_hooks=[begin], command_after_hooks=[finish_command])
