"""Test kit for reminder DMs: a Discord stand-in that also opens DM channels and takes (or
refuses) messages in them, and clicks made in a DM (no guild, no member)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from botkit import TIMEOUT, DiscordStub, Reply, click, submit

__all__ = ["DM", "DMStub", "dm_click", "dm_submit", "in_dm"]


@dataclass(frozen=True, slots=True)
class DM:
    """A message the bot sent to a user's DM channel."""

    user_id: str
    content: str
    components: list[dict[str, Any]]

    @property
    def buttons(self) -> list[tuple[str, str]]:
        return [
            (b.get("label", ""), b["custom_id"])
            for row in self.components
            for b in row.get("components", [])
        ]

    def button(self, label: str) -> str:
        (found,) = [cid for shown, cid in self.buttons if shown == label]
        return found

    def as_reply(self) -> Reply:
        """The DM as the message a click on it is made on."""
        return Reply(
            200, {"type": 4, "data": {"content": self.content, "components": self.components}}
        )


class DMStub(DiscordStub):
    """`DiscordStub` that answers ``POST /users/@me/channels`` with a DM channel and records
    the messages posted to DM channels in ``dms``. Users in ``closed`` have their DMs closed
    (403, Discord code 50007); the next ``fail_next`` DMs are rate-limited for longer than
    hikari waits (429, retry after 1,000 s: a passing failure hikari does not retry itself)."""

    def __init__(self) -> None:
        super().__init__()
        self.dms: list[DM] = []
        self.closed: set[str] = set()
        self.fail_next = 0
        self._channels: dict[str, str] = {}

    async def _handle(self, request: web.Request) -> web.Response:
        path = request.path
        if request.method == "POST" and path.endswith("/users/@me/channels"):
            user_id = str(json.loads(await request.read())["recipient_id"])
            channel_id = str(800000000000000000 + int(user_id) % 10**15)
            self._channels[channel_id] = user_id
            user = {"id": user_id, "username": "u", "discriminator": "0", "avatar": None}
            body = {"id": channel_id, "type": 1, "last_message_id": None, "recipients": [user]}
            return web.json_response(body)
        parts = path.split("/")
        if request.method == "POST" and parts[-1] == "messages" and parts[-2] in self._channels:
            user_id = self._channels[parts[-2]]
            if user_id in self.closed:
                body = {"code": 50007, "message": "Cannot send messages to this user"}
                return web.json_response(body, status=403)
            if self.fail_next:
                self.fail_next -= 1
                body = {
                    "message": "You are being rate limited.",
                    "retry_after": 1000.0,
                    "global": False,
                }
                return web.json_response(body, status=429, headers={"Retry-After": "1000"})
            payload = json.loads(await request.read() or b"{}")
            async with self._changed:
                self.dms.append(
                    DM(user_id, payload.get("content", ""), payload.get("components", []))
                )
                self._changed.notify_all()
        return await super()._handle(request)

    async def wait_dms(self, count: int) -> list[DM]:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.dms) >= count), TIMEOUT)
            return list(self.dms)


def in_dm(payload: dict[str, Any]) -> dict[str, Any]:
    """An interaction made in the bot's DM channel: a user and no guild or member."""
    member = payload.pop("member")
    payload.pop("guild_id")
    payload.pop("guild_locale", None)
    payload["user"] = member["user"]
    payload["context"] = 1
    payload["authorizing_integration_owners"] = {"1": member["user"]["id"]}
    payload["channel"] = {"id": "800000000000000009", "type": 1}
    payload["channel_id"] = "800000000000000009"
    return payload


def dm_click(custom_id: str, *, user_id: str, dm: DM) -> dict[str, Any]:
    """A button of the DM ``dm`` clicked (in the DM)."""
    return in_dm(click(custom_id, user_id=user_id, message=dm.as_reply()))


def dm_submit(custom_id: str, values: dict[str, str], *, user_id: str, dm: DM) -> dict[str, Any]:
    """A modal opened from the DM ``dm`` sent."""
    return in_dm(submit(custom_id, values, user_id=user_id, message=dm.as_reply()))
