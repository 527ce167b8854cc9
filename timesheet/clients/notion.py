"""Read the Clients database, and the book of clients: Notion's rows merged with RATES/CURRENCY.

Rows are typed by people in Notion, so reading is forgiving: names are trimmed, a row without
a name is ignored, a name met twice keeps its first row (oldest created), a negative or
non-finite number is ignored (logged), a Currency that is no 3-letter code is ignored (logged).
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Final

from notion_client import (
    Checkbox,
    NotionClient,
    NotionError,
    Number,
    Page,
    Select,
    Title,
    timestamp,
)
from timesheet.clients.model import ClientInfo, client_key
from timesheet.clients.schema import ARCHIVED, BUDGET, CURRENCY, NAME, RATE, WEEKLY_TARGET
from timesheet.config import Settings
from timesheet.entries.checks import normalise
from timesheet.entries.store_errors import NoDataSourceError

__all__ = ["CLIENTS_TTL", "ClientBook", "fetch_clients", "merge_clients", "parse_client"]

#: Seconds the Clients database is reused before it is read again (autocomplete: Discord waits
#: 3 s for an answer, so it must not read Notion on every keystroke).
CLIENTS_TTL: Final = 300.0
#: After a failed read, seconds before the next try (autocomplete falls back meanwhile).
RETRY_AFTER_FAILURE: Final = 30.0
_CODE: Final = re.compile(r"^[A-Z]{3}$")

_log = logging.getLogger("timetrack.clients")


def _number(page: Page, prop: str, name: str) -> float | None:
    value = page.properties.get(prop)
    if not isinstance(value, Number) or value.value is None:
        return None
    number = float(value.value)
    if not math.isfinite(number) or number < 0:
        _log.warning("Clients: %s of %r is %s; ignored (must be 0 or more)", prop, name, number)
        return None
    return number


def parse_client(page: Page) -> ClientInfo | None:
    """The client a row of the Clients database holds; None for a row without a name."""
    title = page.properties.get(NAME)
    name = normalise(title.text).strip() if isinstance(title, Title) else ""
    if not name:
        return None
    rate = _number(page, RATE, name)
    currency_value = page.properties.get(CURRENCY)
    currency = None
    if isinstance(currency_value, Select) and currency_value.name:
        code = currency_value.name.strip().upper()
        if _CODE.match(code):
            currency = code
        else:
            _log.warning("Clients: Currency of %r is no 3-letter code; ignored", name)
    archived = page.properties.get(ARCHIVED)
    return ClientInfo(
        name=name,
        rate=None if rate is None else Decimal(str(rate)),
        currency=currency,
        weekly_target=_number(page, WEEKLY_TARGET, name),
        budget=_number(page, BUDGET, name),
        archived=isinstance(archived, Checkbox) and archived.value,
    )


async def _data_source_id(client: NotionClient, database_id: str) -> str:
    database = await client.retrieve_database(database_id)
    if not database.data_sources:
        raise NoDataSourceError(database_id)
    return database.data_sources[0].id


async def _rows(client: NotionClient, data_source_id: str) -> list[ClientInfo]:
    found: list[ClientInfo] = []
    seen: set[str] = set()
    pages = client.query_data_source(data_source_id, sorts=[timestamp("created_time").ascending()])
    async for page in pages:
        info = parse_client(page)
        if info is None:
            continue
        key = client_key(info.name)
        if key in seen:
            _log.warning("Clients: %r is listed twice; the first row counts", info.name)
            continue
        seen.add(key)
        found.append(info)
    return found


async def fetch_clients(client: NotionClient, database_id: str) -> list[ClientInfo]:
    """Every client of the Clients database (archived ones too), oldest row first: one request
    for the database, then one paginated query. Raises NotionError."""
    return await _rows(client, await _data_source_id(client, database_id))


def merge_clients(
    rows: Iterable[ClientInfo], rates: Mapping[str, Decimal], currency: str | None
) -> list[ClientInfo]:
    """Notion's rows, a missing Rate or Currency filled from RATES / CURRENCY (names compared
    case-insensitively), then the RATES clients Notion does not list."""
    fallback = {client_key(name): (name, rate) for name, rate in rates.items()}
    merged: list[ClientInfo] = []
    for row in rows:
        _, rate = fallback.pop(client_key(row.name), (row.name, None))
        merged.append(
            ClientInfo(
                name=row.name,
                rate=row.rate if row.rate is not None else rate,
                currency=row.currency or currency,
                weekly_target=row.weekly_target,
                budget=row.budget,
                archived=row.archived,
            )
        )
    merged += [ClientInfo(name, rate, currency) for name, rate in fallback.values()]
    return merged


class ClientBook:
    """The clients timetrack knows, with their rates: the Clients database (when set) merged
    with RATES/CURRENCY, read at most once a ``ttl``."""

    def __init__(
        self,
        client: NotionClient | None,
        database_id: str | None,
        *,
        rates: Mapping[str, Decimal] | None = None,
        currency: str | None = None,
        ttl: float = CLIENTS_TTL,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._database_id = database_id
        self._rates = dict(rates or {})
        self._currency = currency
        self._ttl = ttl
        self._monotonic = monotonic
        self._data_source_id: str | None = None
        self._rows: list[ClientInfo] = []
        self._read_at: float | None = None
        self._failed_at: float | None = None

    @classmethod
    def from_settings(
        cls,
        client: NotionClient | None,
        settings: Settings,
        *,
        ttl: float = CLIENTS_TTL,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> ClientBook:
        """The book of NOTION_CLIENTS_DATABASE_ID (when set), RATES and CURRENCY."""
        return cls(
            client,
            settings.notion_clients_database_id,
            rates=settings.rates,
            currency=settings.currency,
            ttl=ttl,
            monotonic=monotonic,
        )

    @property
    def has_database(self) -> bool:
        return self._client is not None and self._database_id is not None

    async def clients(self, *, fresh: bool = False) -> list[ClientInfo]:
        """Every client (archived ones too), rows read again when ``fresh`` or older than the
        TTL. Raises NotionError when the database can't be read."""
        if self._client is not None and self._database_id is not None:
            now = self._monotonic()
            if fresh or self._read_at is None or now - self._read_at >= self._ttl:
                if self._data_source_id is None:
                    self._data_source_id = await _data_source_id(self._client, self._database_id)
                self._rows = await _rows(self._client, self._data_source_id)
                self._read_at = now
        return merge_clients(self._rows, self._rates, self._currency)

    async def find(self, name: str, *, fresh: bool = False) -> ClientInfo | None:
        """The client called ``name`` (case-insensitive), or None. Raises NotionError."""
        key = client_key(name)
        return next((c for c in await self.clients(fresh=fresh) if client_key(c.name) == key), None)

    async def active_names(self) -> list[str]:
        """The Clients database's clients not archived, for autocomplete (RATES alone adds
        none): never raises NotionError. When Notion can't be read the last rows read are
        used, and Notion is not asked again for `RETRY_AFTER_FAILURE` seconds."""
        now = self._monotonic()
        failed = self._failed_at is not None and now - self._failed_at < RETRY_AFTER_FAILURE
        if not failed:
            try:
                await self.clients()
            except (NotionError, NoDataSourceError) as exc:
                self._failed_at = now
                _log.warning("could not read the Clients database: %s", type(exc).__name__)
        return [c.name for c in self._rows if not c.archived]
