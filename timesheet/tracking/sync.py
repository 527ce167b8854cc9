"""``timetrack sync``: apply every pending operation once, and the lines saying what it did."""

from __future__ import annotations

from typing import Final

from timesheet.tracking.engine import Engine

__all__ = ["SYNC_FAILED", "SYNC_OK", "run_sync"]

#: Everything recorded is in Notion and nothing is set aside.
SYNC_OK: Final = 0
#: Operations are still waiting (Notion unavailable or refusing, another process applying
#: them) or were set aside because Notion refused them for good.
SYNC_FAILED: Final = 1


async def run_sync(engine: Engine) -> tuple[int, list[str]]:
    """Apply the pending operations, each user's oldest first; ``(exit code, lines)``.

    One pass: a user's operations stop at the first one Notion can't take now, keeping it
    and everything after it.
    """
    ledger = engine.ledger
    set_aside_before = {op_id for op_id, _ in ledger.failed_reasons()}
    waiting = len(ledger)
    if waiting == 0 and not set_aside_before:
        return SYNC_OK, ["ledger: nothing to sync"]
    lines = [f"ledger: {waiting} operation(s) to sync"] if waiting else []
    report = await engine.replay()
    lines.extend(report.lines)
    if report.busy:
        lines.append("another timetrack process is applying operations; it will finish them")
    if report.retry_later:
        lines.append(
            f"Notion is unavailable: {report.remaining} operation(s) kept; "
            "run `timetrack sync` again later"
        )
    elif report.blocked:
        lines.append(
            f"Notion refused the request: {report.remaining} operation(s) kept; check "
            "NOTION_TOKEN and that the database is shared with the integration"
        )
    older = [(i, why) for i, why in ledger.failed_reasons() if i in set_aside_before]
    if older:
        lines.append(f"{len(older)} operation(s) set aside earlier (Notion refused them):")
        lines.extend(f"  #{op_id} {why}" for op_id, why in older)
    lines.append(report.summary())
    done = report.remaining == 0 and report.failed == 0 and not older
    return (SYNC_OK if done else SYNC_FAILED), lines
