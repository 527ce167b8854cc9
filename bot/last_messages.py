"""When each user last wrote a message in a guild the gateway bot is in (gateway mode only:
message timestamps come with the non-privileged GUILD_MESSAGES intent, no content needed)."""

from __future__ import annotations

from datetime import datetime

import hikari

__all__ = ["LastMessages"]


class LastMessages:
    """The latest message time of each user seen since the bot started (in memory: one
    timestamp a user). A reminder offers "Stop at my last message" from it."""

    def __init__(self) -> None:
        self._at: dict[str, datetime] = {}

    def seen(self, user_id: str, at: datetime) -> None:
        known = self._at.get(user_id)
        if known is None or at > known:
            self._at[user_id] = at

    def last(self, user_id: str) -> datetime | None:
        return self._at.get(user_id)

    async def on_message(self, event: hikari.GuildMessageCreateEvent) -> None:
        """The gateway listener: people's messages only (not bots' or webhooks')."""
        if event.is_human:
            self.seen(str(event.author_id), event.message.timestamp)
