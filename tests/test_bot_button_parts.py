"""Timer buttons in parts: custom ids, action rows, and clicks routed from the gateway."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import hikari
import pytest
from botkit import DiscordStub, choose, click, submit
from notionkit import ALICE, T0, Clock, make_entry, timesheet_notion

from bot.app import build_gateway_bot
from bot.buttons import (
    MAX_BUTTONS,
    MAX_CUSTOM_ID,
    Button,
    ButtonAction,
    button_for,
    parse_custom_id,
    start_again_rows,
    stop_rows,
)
from bot.clicks import UNKNOWN_BUTTON
from bot.modals import ModalKind, ModalTarget, parse_modal_id
from bot.model import Model
from notion_client import RateLimit, RetryPolicy
from timesheet.config import Settings
from timesheet.entries.model import TimeEntry

PAGE = "0123456789abcdef0123456789abcdef"
DASHED = "01234567-89ab-cdef-0123-456789abcdef"
# Well-formed (base64 user id . timestamp . hmac), not a real token.
GATEWAY_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.abcdefghijklmnopqrstuvwxyz0123456789AB"


def shown(rows: list[hikari.api.ComponentBuilder]) -> list[list[tuple[str, str]]]:
    out = []
    for row in rows:
        payload, _ = row.build()
        out.append([(b["label"], b["custom_id"]) for b in payload["components"]])
    return out


@pytest.mark.parametrize("ref", [PAGE, DASHED, DASHED.upper()])
def test_a_custom_id_names_the_action_and_the_entry(ref: str) -> None:
    stop = parse_custom_id(f"tt:stop:{ref}")
    assert stop == Button(ButtonAction.STOP, DASHED)
    assert stop.custom_id == f"tt:stop:{DASHED}" and len(stop.custom_id) <= MAX_CUSTOM_ID
    assert parse_custom_id(f"tt:again:{ref}") == Button(ButtonAction.START_AGAIN, DASHED)
    assert ButtonAction.START_AGAIN.command == "button:start_again"


@pytest.mark.parametrize(
    "custom_id",
    ["", "tt", "tt:stop:", f"tt:stop:{PAGE}x", f"xx:stop:{PAGE}", f"tt:Stop:{PAGE}", f"tt::{PAGE}"],
)
def test_anything_else_is_not_a_button(custom_id: str) -> None:
    assert parse_custom_id(custom_id) is None


@pytest.mark.parametrize(
    "action", [ButtonAction.PAUSE, ButtonAction.RESUME, ButtonAction.ADJUST, ButtonAction.DELETE]
)
def test_the_buttons_that_fix_time_name_their_entry_too(action: ButtonAction) -> None:
    assert parse_custom_id(f"tt:{action.value}:{PAGE}") == Button(action, DASHED)
    assert action.command == f"button:{action.name.lower()}"


def test_a_modal_id_names_the_modal_and_the_entry() -> None:
    assert parse_modal_id(f"tt:edit:{PAGE}") == ModalTarget(ModalKind.EDIT, DASHED)
    assert parse_modal_id(f"tt:adjust:{DASHED}") == ModalTarget(ModalKind.ADJUST, DASHED)
    assert ModalTarget(ModalKind.EDIT, DASHED).custom_id == f"tt:edit:{DASHED}"
    for other in (f"tt:stop:{PAGE}", "tt:edit:x", f"tt:edit:{PAGE}:more", f"xx:edit:{PAGE}"):
        assert parse_modal_id(other) is None
    assert ModalKind.ADJUST.command == "modal:adjust"


def test_a_queued_start_is_named_by_its_entry_id() -> None:
    queued = make_entry(1)
    assert button_for(ButtonAction.STOP, queued) == Button(ButtonAction.STOP, queued.entry_id)
    hand_made = TimeEntry("not-a-uuid", ALICE, "Acme", "Acme", T0)
    assert button_for(ButtonAction.STOP, hand_made) is None
    assert stop_rows([hand_made]) == []


def test_one_stop_button_or_one_per_timer_named_by_client() -> None:
    assert shown(stop_rows([make_entry(1, page=1)])) == [
        [("Stop", f"tt:stop:{make_entry(1, page=1).page_id}")]
    ]
    assert stop_rows([make_entry(1, page=1, minutes=60)]) == []
    many = [make_entry(n, client=f"Client {n}", page=n) for n in range(30)]
    rows = shown(stop_rows(many))
    assert [len(r) for r in rows] == [5, 5, 5, 5, 5]
    labels = [label for row in rows for label, _ in row]
    assert len(labels) == MAX_BUTTONS and labels[:2] == ["Stop Client 0", "Stop Client 1"]
    long = make_entry(1, client="x" * 100, page=1)
    (((first, _), (second, _)),) = shown(stop_rows([long, make_entry(2, page=2)]))
    assert len(first) == 80 and first.endswith("…") and second == "Stop Acme"


def test_start_again_is_one_button() -> None:
    ended = make_entry(3, page=3, minutes=60)
    assert shown(start_again_rows(ended)) == [[("Start again", f"tt:again:{ended.page_id}")]]


@dataclass
class Gateway:
    bot: hikari.GatewayBot
    model: Model
    discord: DiscordStub
    clock: Clock

    async def press(self, custom_id: str) -> list[Any]:
        """Dispatch a click as the gateway would; the REST calls that answered it."""
        return await self.send(click(custom_id, user_id=ALICE))

    async def send(self, payload: dict[str, Any]) -> list[Any]:
        """Dispatch any interaction (a click, a menu choice, a modal sent) as the gateway
        would; the REST calls that answered it."""
        interaction = self.bot.entity_factory.deserialize_interaction(payload)
        assert isinstance(interaction, hikari.ComponentInteraction | hikari.ModalInteraction)
        event = hikari.InteractionCreateEvent(shard=None, interaction=interaction)  # type: ignore[arg-type]
        await self.bot.event_manager.dispatch(event, return_tasks=True)
        return [c for c in self.discord.calls if payload["token"] in c.path]


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    fake, database_id, _ = timesheet_notion(("Acme",), token="secret_gw")
    with tempfile.TemporaryDirectory() as data_dir:
        async with DiscordStub() as discord:
            settings = Settings.from_env(
                {
                    "NOTION_TOKEN": "secret_gw",
                    "NOTION_DATABASE_ID": database_id,
                    "DISCORD_TOKEN": GATEWAY_TOKEN,
                    "DISCORD_API_URL": discord.url,
                    "DATA_DIR": data_dir,
                    "TIMEZONE": "Europe/London",
                }
            )
            clock = Clock()
            model = Model(
                settings,
                transport=fake.transport(),
                clock=clock,
                retry=RetryPolicy(max_attempts=1, base_delay=0.0, max_delay=0.0),
                rate_limit=RateLimit(rate=0),
            )
            bot, _ = build_gateway_bot(settings, model, logs=None)
            await model.open()
            bot.rest.start()  # what bot.start() does, without connecting to the gateway
            try:
                yield Gateway(bot, model, discord, clock)
            finally:
                await bot.rest.close()
                await model.close()


async def test_the_gateway_routes_a_click_to_the_same_handler(gateway: Gateway) -> None:
    started = await gateway.model.tracker.start(ALICE, "Acme")
    page_id = started.entry.page_id

    callback, edit = await gateway.press(f"tt:stop:{page_id}")

    assert callback.method == "POST" and callback.path.endswith("/callback")
    assert callback.payload["type"] == 6  # DEFERRED_MESSAGE_UPDATE
    assert edit.method == "PATCH" and edit.path.endswith("/messages/@original")
    assert edit.payload["content"].startswith("**Acme** stopped: started 09:00 Europe/London")
    (row,) = edit.payload["components"]
    ids = [b["custom_id"] for b in row["components"]]
    assert ids == [f"tt:again:{page_id}", f"tt:adjust:{page_id}"]
    assert page_id is not None
    ended = await gateway.model.store.get(page_id)
    assert ended.end == started.entry.start  # the clock stands still


async def test_the_gateway_opens_modals_and_routes_what_they_send(gateway: Gateway) -> None:
    started = await gateway.model.tracker.start(ALICE, "Acme")
    page_id = started.entry.page_id
    await gateway.model.tracker.end(ALICE)
    gateway.clock.advance(minutes=90)

    (opened,) = await gateway.press(f"tt:adjust:{page_id}")

    assert opened.path.endswith("/callback") and opened.payload["type"] == 9
    (row,) = opened.payload["data"]["components"]
    (amount,) = row["components"]
    assert opened.payload["data"]["custom_id"] == f"tt:adjust:{page_id}"
    assert amount["label"] == "Effective duration or end time"

    callback, edit = await gateway.send(
        submit(f"tt:adjust:{page_id}", {amount["custom_id"]: "25m"}, user_id=ALICE, message=None)
    )
    # Sent with no message (as from /edit): the answer is a new message, ephemeral.
    assert callback.payload["type"] == 5 and callback.payload["data"]["flags"] == 64
    assert edit.method == "PATCH" and edit.path.endswith("/messages/@original")
    assert edit.payload["content"].startswith("Adjusted **Acme** Mon 16 Nov 09:00–09:25")
    assert page_id is not None
    assert (await gateway.model.store.get(page_id)).end == T0 + timedelta(minutes=25)

    (menu,) = await gateway.send(choose("tt:pick", [page_id], user_id=ALICE))
    assert menu.payload["type"] == 9
    assert menu.payload["data"]["custom_id"] == f"tt:edit:{page_id}"
    values = [r["components"][0].get("value", "") for r in menu.payload["data"]["components"]]
    assert values == ["2026-11-16 09:00", "2026-11-16 09:25", "25m", "Acme", ""]


async def test_the_gateway_answers_a_foreign_button_in_one_ephemeral_line(
    gateway: Gateway,
) -> None:
    (callback,) = await gateway.press("another-bots-button")
    assert callback.payload["type"] == 4
    assert callback.payload["data"]["content"] == UNKNOWN_BUTTON
    assert callback.payload["data"]["flags"] == 64
