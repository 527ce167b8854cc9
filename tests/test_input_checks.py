"""Names, clients and notes people type: normalised (NFC, no zero-width characters), control
characters refused in one line; notes may keep their line breaks."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import pytest
from botkit import BotHarness, slash
from botworld import World, new_world

from timesheet.entries.checks import check_client, check_text
from timesheet.entries.errors import InvalidEntryRef, InvalidInput, UnknownClient

ALICE = "100000000000000001"
TOKEN = "secret_checks_token"
PRESETS = ("Acme", "Globex")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Acme", "Acme"),
        ("ac\u200bme", "Acme"),  # a zero-width space does not make another client
        ("\ufeffGlobex\u2060", "Globex"),
        ("Initech\u200d", "Initech"),
        ("Cafe\u0301", "Caf\u00e9"),  # NFC: one é, as typed on another keyboard
        ("  Umbrella  ", "Umbrella"),
    ],
)
def test_clients_are_normalised(typed: str, stored: str) -> None:
    assert check_client(typed, PRESETS, presets_only=False, custom=False) == stored


@pytest.mark.parametrize(
    ("field", "typed", "problem"),
    [
        ("client", "Ac\x01me", "contains a control character (U+0001)"),
        ("client", "Acme\nEvil", "contains a control character (U+000A, a line break)"),
        ("client", "Acme\rEvil", "contains a control character (U+000D, a carriage return)"),
        ("client", "Acme\tEvil", "contains a control character (U+0009, a tab)"),
        ("client", "Acme\u2028Evil", "contains a control character (U+2028, a line break)"),
        ("client", "Acme\u202eliam", "contains a control character (U+202E, a direction mark)"),
        ("client", "\u200b", "is blank"),
        ("client", " \u200b\ufeff ", "is blank"),
        ("name", "Spec\x7f", "contains a control character (U+007F)"),
        ("name", "two\nlines", "contains a control character (U+000A, a line break)"),
        ("name", "\u200b", "is blank"),
        ("note", "a\x00b", "contains a control character (U+0000); only line breaks are kept"),
        ("note", "a\tb", "contains a control character (U+0009, a tab); only line breaks are kept"),
        ("note", "\u200b\n\u200b", "is blank"),
    ],
)  # fmt: skip
def test_control_characters_and_invisible_names_are_refused_in_one_line(
    field: str, typed: str, problem: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        if field == "client":
            check_client(typed, (), presets_only=False, custom=False)
        else:
            check_text(field, typed)
    assert caught.value.field == field and caught.value.problem == problem
    assert str(caught.value) == f"The {field} {problem}."
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("line 1\nline 2", "line 1\nline 2"),
        ("line 1\r\nline 2\r\n", "line 1\nline 2"),
        ("zero\u200bwidth", "zerowidth"),
    ],
)
def test_notes_keep_their_line_breaks(typed: str, stored: str) -> None:
    assert check_text("note", typed) == stored


def test_an_unknown_client_refusal_is_one_line_whatever_was_typed() -> None:
    with pytest.raises(InvalidInput, match="control character"):
        check_client("Nope\nEvil", PRESETS, presets_only=True, custom=False)


# -- end to end ----------------------------------------------------------------------------


@pytest.fixture
async def bot_world() -> AsyncIterator[tuple[BotHarness, World]]:
    world = new_world(PRESETS, TOKEN)
    async with world.harness() as bot:
        yield bot, world


@pytest.mark.parametrize(
    ("options", "answer"),
    [
        ({"client": "Ac\x01me"}, "The client contains a control character (U+0001)."),
        (
            {"client": "Acme\nEvil"},
            "The client contains a control character (U+000A, a line break).",
        ),
        ({"client": "\u200b"}, "The client is blank."),
        ({"client": "Acme", "note": "a\x1bb"}, "The note contains a control character (U+001B); "
                                               "only line breaks are kept."),
    ],
)  # fmt: skip
async def test_the_bot_refuses_them_and_writes_nothing(
    bot_world: tuple[BotHarness, World], options: dict[str, str], answer: str
) -> None:
    bot, world = bot_world
    reply = await bot.send(slash("start", "timer", user_id=ALICE, **options))
    assert reply.content == answer
    assert world.entries() == [] and world.fake.requests["create_page"] == 0


async def test_the_bot_stores_one_client_and_keeps_note_lines(
    bot_world: tuple[BotHarness, World],
) -> None:
    bot, world = bot_world
    await bot.send(slash("start", "timer", user_id=ALICE, client="Ac\u200bme", note="a\r\nb"))
    bot.clock.advance(minutes=30)
    await bot.send(slash("start", "timer", user_id=ALICE, client="acme"))
    bot.clock.advance(minutes=30)
    await bot.send(slash("end", "timer", user_id=ALICE))
    first, second = world.entries()
    assert (first.client, first.note) == ("Acme", "a\nb")
    assert second.client == "Acme"

    reply = await bot.send(slash("timesheet", user_id=ALICE))
    assert reply.final is not None
    sheet = next(v for k, v in reply.final.files.items() if k.endswith(".csv")).decode()
    rows = list(csv.reader(io.StringIO(sheet)))
    assert rows[0] == ["day", "Acme", "Total"] and rows[-1] == ["Total", "1.00", "1.00"]


def test_an_error_echoing_what_was_typed_stays_on_one_line() -> None:
    with pytest.raises(UnknownClient) as caught:
        check_client("\n", PRESETS, presets_only=True, custom=False)
    assert str(caught.value) == 'Unknown client "\ufffd". Choose one of: Acme, Globex.'
    assert str(InvalidEntryRef("x\ny")).startswith('"x\ufffdy" is not a Notion page id')
