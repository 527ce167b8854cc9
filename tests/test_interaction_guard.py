"""Stale and replayed HTTP interactions are refused before anything runs (bot.interaction_guard)."""

from __future__ import annotations

import json
import logging
import time

import pytest
from botkit import BotHarness, slash
from botworld import World, new_world

from bot.interaction_guard import GuardedInteractionServer, InteractionGuard

ALICE = "100000000000000001"
TOKEN = "secret_guard_token"


class Seconds:
    """A settable clock in seconds (wall or monotonic)."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def world() -> World:
    return new_world(("Acme",), TOKEN)


# -- through the interaction server ------------------------------------------------------------


def test_the_rest_bot_serves_through_the_guarded_server(bot: BotHarness) -> None:
    assert isinstance(bot.bot.interaction_server, GuardedInteractionServer)


@pytest.mark.parametrize("offset", [-3600, -301, 301, 3600])
async def test_a_request_signed_more_than_5_minutes_off_is_refused_with_401(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture, offset: int
) -> None:
    caplog.set_level(logging.INFO)
    body = json.dumps(slash("start", "timer", user_id=ALICE, client="Acme")).encode()
    headers = bot.signer.headers(body, timestamp=str(int(time.time()) + offset))

    status, _, text = await bot.post(body, headers)

    assert (status, text) == (401, "Request timestamp too old or too new")
    assert world.entries() == [] and world.writes() == 0
    assert bot.discord.calls == []
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "more than 300 s off" in logged
    assert headers["X-Signature-Ed25519"] not in logged


@pytest.mark.parametrize("offset", [-290, 290])
async def test_a_request_signed_within_5_minutes_is_served(
    world: World, bot: BotHarness, offset: int
) -> None:
    payload = slash("start", "timer", user_id=ALICE, client="Acme")
    body = json.dumps(payload).encode()
    headers = bot.signer.headers(body, timestamp=str(int(time.time()) + offset))

    status, data, _ = await bot.post(body, headers)

    assert (status, data["type"]) == (200, 5)
    await bot.discord.wait_for(payload["token"])
    assert len(world.entries()) == 1


async def test_the_same_signed_bytes_sent_again_do_nothing(world: World, bot: BotHarness) -> None:
    payload = slash("start", "timer", user_id=ALICE, client="Acme")
    body = json.dumps(payload).encode()
    headers = bot.signer.headers(body)
    status, data, _ = await bot.post(body, headers)
    assert (status, data["type"]) == (200, 5)
    await bot.discord.wait_for(payload["token"])
    calls = list(bot.discord.calls)

    again = await bot.post(body, headers)
    resigned = await bot.post(body, bot.signer.headers(body, timestamp=str(int(time.time()) + 1)))

    # Refused before dispatch: nothing ran, so nothing can still be on its way.
    assert again[0] == resigned[0] == 409
    assert again[2] == "Interaction already received"
    assert len(world.entries()) == 1 and world.writes() == 1
    assert bot.discord.calls == calls


async def test_a_forged_body_is_still_hikaris_400_and_not_remembered(bot: BotHarness) -> None:
    payload = slash("start", "timer", user_id=ALICE, client="Acme")
    body = json.dumps(payload).encode()
    forged = body.replace(b"Acme", b"Acmx")
    status, _, _ = await bot.post(forged, bot.signer.headers(body))
    assert status == 400
    # The forged request shared the id; the genuine one is still served.
    reply = await bot.send(payload)
    assert reply.status == 200 and "Started **Acme**" in reply.content


# -- the guard on its own ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timestamp", "fresh"),
    [
        (b"1800000000", True),
        (b"1799999700", True),  # exactly 5 minutes old
        (b"1800000300", True),  # exactly 5 minutes ahead
        (b"1799999699", False),
        (b"1800000301", False),
        (b"", False),
        (b"17e8", False),
        (b"\xff", False),
    ],
)
def test_fresh_accepts_5_minutes_either_way(timestamp: bytes, fresh: bool) -> None:
    guard = InteractionGuard(clock=Seconds())
    assert guard.fresh(timestamp) is fresh


def test_an_id_is_remembered_for_twice_the_window_then_forgotten() -> None:
    monotonic = Seconds(0.0)
    guard = InteractionGuard(monotonic=monotonic)
    assert guard.first_time("1") is True
    monotonic.now = 599.0  # a timestamp 5 minutes ahead is still fresh until here
    assert guard.first_time("1") is False
    assert guard.first_time("2") is True
    monotonic.now = 600.0
    assert guard.first_time("1") is True  # by now its timestamp is stale anyway
    monotonic.now = 1199.0
    assert guard.first_time("3") is True
    assert len(guard) == 2  # "2" expired at 1199: only "1" (again) and "3" remain


def test_memory_is_bounded_dropping_the_oldest(caplog: pytest.LogCaptureFixture) -> None:
    guard = InteractionGuard(capacity=3, monotonic=Seconds(0.0))
    for interaction_id in "abcd":
        assert guard.first_time(interaction_id)
    assert len(guard) == 3
    assert guard.first_time("a") is True  # dropped to make room for "d"
    assert guard.first_time("d") is False
    assert "forgetting the oldest id" in caplog.text


def test_a_guard_needs_a_window_and_room() -> None:
    with pytest.raises(ValueError, match="window"):
        InteractionGuard(window=0)
    with pytest.raises(ValueError, match="capacity"):
        InteractionGuard(capacity=0)
