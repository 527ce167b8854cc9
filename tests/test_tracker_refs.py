"""parse_entry_ref: Notion page ids and URLs in every shape people paste them."""

from __future__ import annotations

import pytest

from timesheet.tracking.tracker import InvalidEntryRef, parse_entry_ref

HEX = "1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6"
DASHED = "1a2b3c4d-5e6f-47a8-b9c0-d1e2f3a4b5c6"


@pytest.mark.parametrize(
    "text",
    [
        HEX,
        HEX.upper(),
        DASHED,
        DASHED.upper(),
        f"  {DASHED}\n",
        f"https://www.notion.so/Acme-{HEX}",
        f"https://www.notion.so/Acme-{HEX}?pvs=4",
        f"https://www.notion.so/myteam/Acme-support-{HEX}?v=0123456789abcdef0123456789abcdef",
        f"https://www.notion.so/{HEX}",
        f"https://www.notion.so/{HEX}/",
        f"https://notion.so/Acme-{HEX}#deadbeef",
        f"https://myteam.notion.site/Acme-{HEX}",
        f"www.notion.so/Acme-{HEX}",
        f"https://www.notion.so/0123456789abcdef0123456789abcdef?v=ffffffffffffffffffffffffffffffff&p={HEX}&pm=s",
        f"https://www.notion.so/Title-with-1234-numbers-{HEX}?pvs=21",
    ],
)
def test_accepts_ids_and_urls(text: str) -> None:
    assert parse_entry_ref(text) == DASHED


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hello",
        HEX[:-1],
        HEX + "0",
        "1a2b3c4d-5e6f-47a8-b9c0-d1e2f3a4b5c",
        "1a2b3c4d5e6f47a8b9c0d1e2f3a4b5cg",
        f"https://example.com/Acme-{HEX}",
        f"https://notion.so.evil.com/Acme-{HEX}",
        f"ftp://www.notion.so/Acme-{HEX}",
        "https://www.notion.so/Acme",
        "https://www.notion.so/x?p=nothex",
        f"https://[::1/Acme-{HEX}",
    ],
)
def test_refuses_malformed(text: str) -> None:
    with pytest.raises(InvalidEntryRef) as caught:
        parse_entry_ref(text)
    message = str(caught.value)
    assert "\n" not in message
    assert "not a Notion page id" in message


def test_long_input_is_shortened_in_the_message() -> None:
    with pytest.raises(InvalidEntryRef) as caught:
        parse_entry_ref("x" * 5000)
    assert len(str(caught.value)) < 200
