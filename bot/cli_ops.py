"""``timetrack status`` and ``timetrack outbox [retry [ID] | drop ID]``: is timetrack well,
and the operations waiting in the ledger or set aside after Notion refused them."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from bot.cli_base import EXIT_FAILED, EXIT_OK, CommandFailed, as_handler, open_model, say
from timesheet.config import Settings

if TYPE_CHECKING:
    from timesheet.health.status import RemindersDue
    from timesheet.tracking.ledger import Ledger, Waiting

__all__ = ["add_ops_commands"]

#: The Notion check of ``status`` gives up after this many seconds of retries.
STATUS_RETRY_SECONDS: Final = 5.0


def add_ops_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    status = sub.add_parser(
        "status",
        help="Notion, the ledger, the weekly post, the version (exit 1 if a person is needed)",
    )
    status.set_defaults(handler=as_handler(_status))

    outbox = sub.add_parser("outbox", help="operations waiting or set aside; retry or drop one")
    actions = outbox.add_subparsers(dest="outbox_action", metavar="ACTION")
    retry = actions.add_parser("retry", help="put failed operations (or one) back in line")
    retry.add_argument("id", nargs="?", metavar="ID", help="#12 or 12 (default: every one)")
    drop = actions.add_parser("drop", help="give one operation up, after saying what is lost")
    drop.add_argument("id", metavar="ID", help="#12 or 12")
    drop.add_argument("--yes", action="store_true", help="do not ask (needed off a terminal)")
    outbox.set_defaults(handler=_outbox)


def _reminders_due(settings: Settings, *, notion_ok: bool) -> RemindersDue | None:
    """How many forgotten-timer reminders are owed now (1 Notion query for every running
    timer; 0 when REMIND_AFTER is off; None, shown "n/a", when Notion can't be read: not
    asked again, with its full retries, once the check found it failing)."""
    remind_after = settings.remind_after
    if remind_after is None:
        return lambda: 0
    if not notion_ok:
        return None

    async def count() -> int | None:
        from notion_client import NotionError
        from timesheet.entries.store_errors import NoDataSourceError
        from timesheet.reminders.due import reminders_due

        try:
            async with open_model(settings) as model:
                return await reminders_due(model.tracker, remind_after)
        except (NotionError, NoDataSourceError):
            return None

    return count


async def _status(args: argparse.Namespace, settings: Settings) -> int:
    from notion_client import NotionClient, RetryPolicy
    from timesheet.health.notion_watch import NotionWatch
    from timesheet.health.status import check_notion, gather_status
    from timesheet.tracking.ledger import Ledger

    settings.require("NOTION_TOKEN", "NOTION_DATABASE_ID")
    assert settings.notion_token is not None and settings.notion_database_id is not None
    retry = RetryPolicy(max_attempts=3, max_total=STATUS_RETRY_SECONDS)
    watch = NotionWatch()
    async with NotionClient(
        settings.notion_token, base_url=settings.notion_base_url, retry=retry, timeout=10.0
    ) as client:
        state, schema = await check_notion(client, settings.notion_database_id, watch)
    with Ledger.in_dir(settings.data_dir) as ledger:
        report = await gather_status(
            settings,
            ledger=ledger,
            notion=state,
            schema=schema,
            now=datetime.now(UTC),
            reminders_due=_reminders_due(settings, notion_ok=state.kind == "ok"),
        )
    for line in report.lines(settings.timezone):
        say(line)
    return EXIT_FAILED if report.problems() else EXIT_OK


# --- outbox -----------------------------------------------------------------------------------


#: The greatest id SQLite holds (a larger one can't even be looked for).
_MAX_OP_ID: Final = 2**63 - 1


def _op_id(raw: str) -> int:
    text = raw.strip().removeprefix("#")
    if not (text.isascii() and text.isdigit()) or int(text) > _MAX_OP_ID:
        raise CommandFailed(f"{raw!r} is not an operation id: use the #12 `timetrack outbox` shows")
    return int(text)


def _since(ts: float, settings: Settings) -> str:
    from timesheet.reports.wording import moment_text

    return moment_text(datetime.fromtimestamp(ts, UTC), settings.timezone)


def _describe(w: Waiting, settings: Settings) -> list[str]:
    from timesheet.text import clip, one_line

    head = (
        f"#{w.op_id} {w.state} · user {w.lane} · since {_since(w.enqueued_at, settings)} · "
        f"{w.attempts} attempt(s) · {clip(one_line(w.what), 200)}"
    )
    lines = [head]
    if w.last_error:
        lines.append(f"    last error: {clip(one_line(w.last_error), 300)}")
    return lines


def _outbox(args: argparse.Namespace, settings: Settings) -> int:
    from timesheet.tracking.ledger import Ledger

    with Ledger.in_dir(settings.data_dir) as ledger:
        if args.outbox_action == "retry":
            return _retry(ledger, args.id)
        if args.outbox_action == "drop":
            return _drop(ledger, args.id, settings, yes=args.yes)
        waiting = ledger.outbox()
    if not waiting:
        say("The ledger holds nothing to apply and nothing set aside.")
        return EXIT_OK
    pending = sum(1 for w in waiting if w.state == "pending")
    say(f"{pending} pending, {len(waiting) - pending} failed (oldest first):")
    for w in waiting:
        for line in _describe(w, settings):
            say(line)
    if len(waiting) > pending:
        say("`timetrack outbox retry [ID]` puts failed ones back; `timetrack outbox drop ID`")
        say("gives one up.")
    return EXIT_FAILED if len(waiting) > pending else EXIT_OK


def _retry(ledger: Ledger, raw: str | None) -> int:
    op_id = None if raw is None else _op_id(raw)
    count = ledger.requeue_failed(op_id)
    if op_id is not None and count == 0:
        found = next((w for w in ledger.outbox() if w.op_id == op_id), None)
        state = "no such operation" if found is None else f"it is {found.state}, not failed"
        raise CommandFailed(f"#{op_id}: {state}; nothing changed")
    if count == 0:
        say("No failed operation to retry.")
        return EXIT_OK
    which = f"#{op_id}" if op_id is not None else f"{count} failed operation(s)"
    say(f"Put {which} back in line: `timetrack sync` (or the running bot) applies it.")
    return EXIT_OK


def _confirm(yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        raise CommandFailed("not a terminal: add --yes to drop it; nothing changed")
    try:
        return input("Drop it? [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


def _drop(ledger: Ledger, raw: str, settings: Settings, *, yes: bool) -> int:
    op_id = _op_id(raw)
    found = next((w for w in ledger.outbox() if w.op_id == op_id), None)
    if found is None:
        raise CommandFailed(f"#{op_id}: no such pending or failed operation; nothing changed")
    for line in _describe(found, settings):
        say(line)
    say("Dropping it loses this change for good: it will never be written to Notion.")
    if found.create_sent:
        say("Its page may already be in Notion (a create was sent): look there.")
    if not _confirm(yes):
        say("Kept it.")
        return EXIT_FAILED
    if ledger.drop(op_id) is None:
        raise CommandFailed(
            f"#{op_id}: another timetrack process is applying it right now; nothing changed"
        )
    say(f"Dropped #{op_id}.")
    return EXIT_OK
