"""crescent plugins, loaded by module path in `bot.app` (one feature per module)."""

from __future__ import annotations

__all__: list[str] = []
