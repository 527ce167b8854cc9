"""The /panel message: a start button per client, Stop and My timer, with stateless custom
ids (``tt:pstart:<client>``, ``tt:pstop:-``, ``tt:pmine:-``), and what a click on them does
for whoever clicked (the same tracker calls and replies as /start, /end and /active)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Final

import hikari

from bot.buttons import MAX_CUSTOM_ID, PREFIX, ROW_WIDTH
from bot.click_actions import Action, Answer
from bot.replies import Clicked
from bot.timer_replies import TimerReply, active_reply, end_reply, start_reply
from timesheet.text import clip

if TYPE_CHECKING:
    from bot.command_run import CommandRun
    from bot.model import Model

__all__ = [
    "MAX_PANEL_CLIENTS",
    "PanelAction",
    "PanelButton",
    "panel_action",
    "panel_rows",
    "panel_text",
    "parse_panel_id",
]

#: Client buttons at most (four rows of five); the fifth row holds Stop and My timer.
MAX_PANEL_CLIENTS: Final = 20
_LABEL: Final = 80
#: What Stop and My timer carry where a client button carries its client.
_NO_ARG: Final = "-"


class PanelAction(enum.StrEnum):
    START = "pstart"
    STOP = "pstop"
    MINE = "pmine"

    @property
    def command(self) -> str:
        """The name its log line carries: ``panel:start``."""
        return f"panel:{self.name.lower()}"


@dataclass(frozen=True, slots=True)
class PanelButton:
    action: PanelAction
    client: str = ""

    @property
    def custom_id(self) -> str:
        return f"{PREFIX}:{self.action.value}:{self.client or _NO_ARG}"


def parse_panel_id(custom_id: str) -> PanelButton | None:
    """The panel button a custom id names; None when it is not one. A client name may hold
    colons: everything after the second one is the client."""
    prefix, _, rest = custom_id.partition(":")
    value, _, arg = rest.partition(":")
    if len(custom_id) > MAX_CUSTOM_ID or prefix != PREFIX or not arg:
        return None
    try:
        action = PanelAction(value)
    except ValueError:
        return None
    if action is PanelAction.START:
        return PanelButton(action, arg)
    return PanelButton(action) if arg == _NO_ARG else None


def panel_rows(clients: Sequence[str]) -> list[hikari.api.ComponentBuilder]:
    """Up to 20 client buttons in rows of five (a client whose custom id would pass Discord's
    100 characters is left out), then a row with Stop and My timer."""
    buttons = [PanelButton(PanelAction.START, c) for c in clients if c.strip()]
    fitting = [b for b in buttons if len(b.custom_id) <= MAX_CUSTOM_ID][:MAX_PANEL_CLIENTS]
    rows: list[hikari.api.ComponentBuilder] = []
    for first in range(0, len(fitting), ROW_WIDTH):
        row = hikari.impl.MessageActionRowBuilder()
        for button in fitting[first : first + ROW_WIDTH]:
            row.add_interactive_button(
                hikari.ButtonStyle.PRIMARY, button.custom_id, label=clip(button.client, _LABEL)
            )
        rows.append(row)
    last = hikari.impl.MessageActionRowBuilder()
    last.add_interactive_button(
        hikari.ButtonStyle.DANGER, PanelButton(PanelAction.STOP).custom_id, label="Stop"
    )
    last.add_interactive_button(
        hikari.ButtonStyle.SECONDARY, PanelButton(PanelAction.MINE).custom_id, label="My timer"
    )
    rows.append(last)
    return rows


def panel_text(clients: Sequence[str]) -> str:
    """The panel's text."""
    start = (
        "Click a client to start your timer for it (your running timer stops at the same instant)"
        if clients
        else "No preset clients are set (PRESET_CLIENTS); use /start timer"
    )
    return f"**Time tracking.** {start}. **Stop** ends yours; **My timer** shows it, to you only."


def panel_action(interaction: Clicked) -> Action | None:
    """What a click on the panel asks for; None when it is not a panel button. Answered with
    a new message only the clicker sees: the panel stays as it is."""
    if isinstance(interaction, hikari.ModalInteraction):
        return None
    button = parse_panel_id(interaction.custom_id)
    if button is None:
        return None
    acts = {PanelAction.START: _start, PanelAction.STOP: _stop, PanelAction.MINE: _mine}
    return Answer(button.action.command, partial(acts[button.action], button), update=False)


async def _start(button: PanelButton, run: CommandRun, model: Model) -> TimerReply:
    """/start timer client:<the button's> for whoever clicked."""
    result = await model.tracker.start(run.caller.user_id, button.client)
    return start_reply(result, model.settings.timezone, model.now(), run.record)


async def _stop(button: PanelButton, run: CommandRun, model: Model) -> TimerReply:
    """/end timer for whoever clicked."""
    result = await model.tracker.end(run.caller.user_id)
    return end_reply(result, model.settings.timezone, model.now(), run.record)


async def _mine(button: PanelButton, run: CommandRun, model: Model) -> TimerReply:
    """/active for whoever clicked."""
    tz = model.settings.timezone
    view = await model.tracker.active_view(run.caller.user_id, tz=tz)
    return active_reply(view, tz, model.now(), run.record)
