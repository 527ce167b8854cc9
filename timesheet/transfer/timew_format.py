"""Timewarrior's interval as timetrack reads and writes it: times and the tag mapping.

- Times are UTC in the basic ISO form ``20261120T093000Z`` (whole seconds).
- Reading: Client = the first tag; Name = all the tags joined with ``", "``; Note = the
  annotation. An untagged interval has no client and an empty name.
- Writing: the tags are the client, then the parts of the name split on ``", "`` that are
  not the client and not repeated (timew's tags are a set). Reading those tags back gives the
  client, and the name with the client first: a name read from timew (``acme, design``) comes
  back unchanged; a name typed in timetrack (``Design``) comes back as ``Acme, Design``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

__all__ = ["NAME_SEPARATOR", "client_and_name", "format_time", "parse_time", "tags_for"]

NAME_SEPARATOR: Final = ", "
_BASIC: Final = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z")


def parse_time(text: str) -> datetime | None:
    """``20261120T093000Z`` as an aware UTC datetime, None if not that form or no such time."""
    match = _BASIC.fullmatch(text)
    if match is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None


def format_time(moment: datetime) -> str:
    """An aware datetime in timew's form, in UTC; fractions of a second are dropped."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def client_and_name(tags: Sequence[str]) -> tuple[str | None, str]:
    """The client and name of an interval with ``tags``."""
    return (tags[0] if tags else None), NAME_SEPARATOR.join(tags)


def tags_for(client: str, name: str) -> list[str]:
    """The tags that stand for an entry of ``client`` named ``name``."""
    tags = [client] if client else []
    for part in name.split(NAME_SEPARATOR):
        part = part.strip()
        if part and part not in tags:
            tags.append(part)
    return tags
