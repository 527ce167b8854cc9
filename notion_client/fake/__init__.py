"""In-memory Notion for tests, demos and benchmarks: an httpx transport or a loopback server."""

from __future__ import annotations

from ._fake import NOTION_VERSIONS, FakeNotion
from ._faults import ENDPOINTS, Faults
from ._transport import FakeTransport

__all__ = ["ENDPOINTS", "NOTION_VERSIONS", "FakeNotion", "FakeTransport", "Faults"]
