"""Entry references people paste: a Notion page id (or Entry ID) or a Notion page URL."""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import parse_qs, urlsplit

from notion_client import ObjectNotFoundError
from timesheet.entries.errors import EntryNotFound, InvalidEntryRef
from timesheet.entries.model import TimeEntry, dashed_id
from timesheet.entries.store import EntryStore
from timesheet.entries.store_errors import NotAnEntryError

__all__ = ["find_entry", "notion_id", "parse_entry_ref"]

_HEX32: Final = re.compile(r"[0-9a-fA-F]{32}")
_UUID: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_TRAILING_HEX32: Final = re.compile(r"(?:^|[^0-9a-fA-F])([0-9a-fA-F]{32})$")
_NOTION_HOSTS: Final = ("notion.so", "notion.site", "notion.com")


def notion_id(text: str) -> str | None:
    """A Notion id (32 hex, with or without dashes, any case) as a dashed lowercase UUID; None
    when ``text`` is not exactly one."""
    if _HEX32.fullmatch(text):
        return dashed_id(text)
    if _UUID.fullmatch(text):
        return text.lower()
    return None


def parse_entry_ref(text: str) -> str:
    """A Notion page id (32 hex, with or without dashes) or page URL -> dashed lowercase UUID.

    URLs: ``https://www.notion.so/[workspace/]Title-<32hex>`` with any query (``?pvs=4``,
    ``?v=...``); a database view link with ``p=<page id>`` names that page. Raises
    InvalidEntryRef for anything else.
    """
    ref = text.strip()
    found = notion_id(ref)
    if found is not None:
        return found
    if "://" not in ref and ref.split("/", 1)[0].lower().endswith(_NOTION_HOSTS):
        ref = "https://" + ref
    try:
        url = urlsplit(ref)
    except ValueError:
        raise InvalidEntryRef(text) from None
    host = (url.hostname or "").lower()
    is_notion = any(host == h or host.endswith("." + h) for h in _NOTION_HOSTS)
    if url.scheme not in ("http", "https") or not is_notion:
        raise InvalidEntryRef(text)
    peeked = parse_qs(url.query).get("p")
    if peeked:
        found = notion_id(peeked[0])
        if found is None:
            raise InvalidEntryRef(text)
        return found
    last = url.path.rstrip("/").rsplit("/", 1)[-1]
    match = _TRAILING_HEX32.search(last)
    if match is not None:
        return dashed_id(match.group(1))
    found = notion_id(last)
    if found is None:
        raise InvalidEntryRef(text)
    return found


async def find_entry(store: EntryStore, ref_id: str) -> tuple[TimeEntry, list[TimeEntry] | None]:
    """The entry a parsed ref names, and every page of its Entry ID when a query read them:
    1 retrieve, + 1 query when the ref is no page (people also paste the Entry ID, a UUID too).
    Raises EntryNotFound."""
    try:
        return await store.get(ref_id), None
    except NotAnEntryError as exc:
        raise EntryNotFound(ref_id, exc.reason) from exc
    except ObjectNotFoundError:
        pass
    pages = await store.pages_with_entry_id(ref_id)
    if not pages:
        raise EntryNotFound(ref_id, "not found, or not shared with the integration")
    return pages[0], pages
