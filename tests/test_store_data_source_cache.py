"""The data source id kept in the ledger: learnt once for every process, learnt again on 404."""

from __future__ import annotations

from collections import Counter

import pytest
from notionkit import fast_client, timesheet_notion

from notion_client import ObjectNotFoundError
from timesheet.entries.store import EntryStore
from timesheet.tracking.ledger import Ledger

KEY_PREFIX = "data_source_id:"


async def test_the_id_is_learnt_once_and_kept_for_the_next_process(ledger: Ledger) -> None:
    fake, database_id, ds_id = timesheet_notion(())
    async with fast_client(fake.transport()) as client:
        first = EntryStore(client, database_id, cache=ledger)
        await first.find_running("1")
        assert ledger.get_meta(KEY_PREFIX + database_id) == ds_id
        before = Counter(fake.requests)
        second = EntryStore(client, database_id, cache=ledger)  # another process, same ledger
        await second.find_running("1")
        assert Counter(fake.requests) - before == Counter({"query_data_source": 1})


async def test_a_stale_cached_id_is_learnt_again_on_404(ledger: Ledger) -> None:
    fake, database_id, ds_id = timesheet_notion(())
    ledger.set_meta(KEY_PREFIX + database_id, "00000000-0000-4000-8000-00000000dead")
    async with fast_client(fake.transport()) as client:
        store = EntryStore(client, database_id, cache=ledger)
        assert await store.find_running("1") == []
        assert await store.data_source_id() == ds_id
    assert ledger.get_meta(KEY_PREFIX + database_id) == ds_id
    assert fake.requests["retrieve_database"] == 1


async def test_a_404_for_an_id_learnt_just_now_is_not_retried(ledger: Ledger) -> None:
    fake, database_id, _ = timesheet_notion(())
    async with fast_client(fake.transport()) as client:
        store = EntryStore(client, database_id, cache=ledger)
        await store.data_source_id()
        fake.faults.fail_next(404, endpoint="query_data_source")
        with pytest.raises(ObjectNotFoundError):  # not shared any more: said, not hidden
            await store.find_running("1")
    assert fake.requests["retrieve_database"] == 1
