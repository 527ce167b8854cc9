"""``timetrack sync``: replay the outbox into Notion once, and the lines saying what it did."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from timesheet.tracking.replay import replay

if TYPE_CHECKING:
    from timesheet.entries.store import EntryStore
    from timesheet.tracking.ledger import Outbox
    from timesheet.tracking.tracker import Tracker

__all__ = ["SYNC_FAILED", "SYNC_OK", "run_sync"]

#: Everything queued is in Notion and nothing is set aside.
SYNC_OK: Final = 0
#: Operations are still waiting (Notion unavailable or refusing, another process replaying)
#: or were set aside because Notion refused them for good.
SYNC_FAILED: Final = 1


async def run_sync(
    outbox: Outbox, store: EntryStore, tracker: Tracker | None = None
) -> tuple[int, list[str]]:
    """Replay the pending operations oldest first; ``(exit code, lines to print)``.

    With ``tracker`` a queued start also stops the timer then running in Notion (pass the
    same tracker the bot uses, so replayed starts take its per-user lock). One pass: it
    stops at the first operation Notion can't take now, keeping it and everything after it.
    """
    set_aside_before = {op_id for op_id, _ in outbox.failed_reasons()}
    waiting = len(outbox)
    if waiting == 0 and not set_aside_before:
        return SYNC_OK, ["outbox: nothing to sync"]
    lines = [f"outbox: {waiting} operation(s) to sync"] if waiting else []
    report = await replay(outbox, store, tracker=tracker)
    lines.extend(report.lines)
    if report.busy:
        lines.append("another timetrack process is replaying the outbox; it will finish the rest")
    elif report.retry_later:
        lines.append(
            f"Notion is unavailable: {report.remaining} operation(s) kept; "
            "run `timetrack sync` again later"
        )
    elif report.blocked:
        lines.append(
            f"Notion refused the request: {report.remaining} operation(s) kept; check "
            "NOTION_TOKEN and that the database is shared with the integration"
        )
    older = [(i, why) for i, why in outbox.failed_reasons() if i in set_aside_before]
    if older:
        lines.append(f"{len(older)} operation(s) set aside earlier (Notion refused them):")
        lines.extend(f"  #{op_id} {why}" for op_id, why in older)
    lines.append(report.summary())
    done = report.remaining == 0 and report.failed == 0 and not older
    return (SYNC_OK if done else SYNC_FAILED), lines
