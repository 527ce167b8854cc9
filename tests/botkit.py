"""Test kit for the Discord layer: signed interactions posted to a real RESTBot on 127.0.0.1.

- `Signer` signs bodies with Ed25519 the way Discord does (PyNaCl).
- `slash()` / `autocomplete()` / `click()` / `choose()` / `submit()` build interaction payloads
  with the fields hikari's parser needs (`click()`: a button press and `choose()`: a select-menu
  choice, both MESSAGE_COMPONENT; `submit()`: a modal sent, MODAL_SUBMIT). `Reply.form` reads a
  modal the bot opened, and `Form.submit` sends it back with some fields changed.
- `DiscordStub` is a local aiohttp server standing in for Discord's REST API (``rest_url``): it
  records the edits of deferred responses and follow-ups, so tests can read the final replies,
  and refuses (HTTP 400, as Discord does) a message over Discord's limits, or any message after
  `DiscordStub.refuse_next`. `BotHarness.send` checks the direct answers against those limits.
- `BotHarness` starts our RESTBot (our plugins, our Model) against an in-memory Notion and posts
  interactions to it over HTTP; its tracker reads a `Clock` (notionkit's, re-exported here).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import aiohttp
import httpx
import nacl.signing
from aiohttp import web
from notionkit import Clock

__all__ = [
    "APP_ID",
    "GUILD_ID",
    "MANAGE_GUILD",
    "TIMEOUT",
    "WEBHOOK_TOKEN",
    "BotHarness",
    "Clock",
    "DiscordStub",
    "Form",
    "Reply",
    "RestCall",
    "Signer",
    "autocomplete",
    "choose",
    "click",
    "component_problems",
    "free_socket",
    "slash",
    "submit",
]

APP_ID: Final = "900000000000000001"
GUILD_ID: Final = "900000000000000002"
CHANNEL_ID: Final = "900000000000000003"
MANAGE_GUILD: Final = 1 << 5
EPHEMERAL: Final = 1 << 6
TIMEOUT: Final = 10.0
#: Discord's limits: message content, autocomplete choices and their name and value.
CONTENT_LIMIT: Final = 2000
CHOICES_LIMIT: Final = 25
CHOICE_LIMIT: Final = 100
#: Discord's limits on components: rows and buttons, custom ids, labels, menus, modals.
ROWS_LIMIT: Final = 5
ROW_WIDTH: Final = 5
CUSTOM_ID_LIMIT: Final = 100
BUTTON_LABEL_LIMIT: Final = 80
OPTIONS_LIMIT: Final = 25
OPTION_TEXT_LIMIT: Final = 100
PLACEHOLDER_LIMIT: Final = 150
MODAL_TITLE_LIMIT: Final = 45
INPUT_LABEL_LIMIT: Final = 45
INPUT_PLACEHOLDER_LIMIT: Final = 100
INPUT_VALUE_LIMIT: Final = 4000
#: The token in the TIMESHEET_WEBHOOK_URL a harness with ``webhook=True`` posts to.
WEBHOOK_TOKEN: Final = "webhook-secret-token"

_ids = itertools.count(910000000000000000)


def _snowflake() -> str:
    return str(next(_ids))


class Signer:
    """Discord's side of the signature: an Ed25519 key pair."""

    def __init__(self) -> None:
        self._key = nacl.signing.SigningKey.generate()
        self.public_key = self._key.verify_key.encode().hex()

    def headers(self, body: bytes, *, timestamp: str | None = None) -> dict[str, str]:
        ts = timestamp if timestamp is not None else str(int(time.time()))
        signature = self._key.sign(ts.encode() + body).signature.hex()
        return {
            "Content-Type": "application/json",
            "X-Signature-Ed25519": signature,
            "X-Signature-Timestamp": ts,
        }


def _member(user_id: str, roles: Sequence[str], permissions: int) -> dict[str, Any]:
    return {
        "user": {
            "id": user_id,
            "username": f"user{user_id[-4:]}",
            "discriminator": "0",
            "avatar": None,
            "global_name": None,
        },
        "roles": list(roles),
        "joined_at": "2025-01-01T00:00:00+00:00",
        "permissions": str(permissions),
        "deaf": False,
        "mute": False,
        "flags": 0,
    }


def _interaction(
    kind: int,
    data: dict[str, Any],
    *,
    user_id: str,
    roles: Sequence[str],
    permissions: int,
) -> dict[str, Any]:
    return {
        "id": _snowflake(),
        "application_id": APP_ID,
        "type": kind,
        "token": f"itoken-{_snowflake()}",
        "version": 1,
        "locale": "en-US",
        "guild_locale": "en-US",
        "app_permissions": "0",
        "context": 0,
        "attachment_size_limit": 8 * 1024 * 1024,
        "authorizing_integration_owners": {"0": GUILD_ID},
        "entitlements": [],
        "guild_id": GUILD_ID,
        "channel_id": CHANNEL_ID,
        "channel": {"id": CHANNEL_ID, "type": 0},
        "member": _member(user_id, roles, permissions),
        "data": data,
    }


def _options(values: Mapping[str, Any], focused: str | None = None) -> list[dict[str, Any]]:
    options = []
    for name, value in values.items():
        kind = 5 if isinstance(value, bool) else 4 if isinstance(value, int) else 3
        option: dict[str, Any] = {"name": name, "type": kind, "value": value}
        if name == focused:
            option["focused"] = True
        options.append(option)
    return options


def _data(
    command: str, sub: str | None, values: Mapping[str, Any], focused: str | None
) -> dict[str, Any]:
    options = _options(values, focused)
    if sub is not None:
        options = [{"name": sub, "type": 1, "options": options}]
    return {"id": _snowflake(), "name": command, "type": 1, "options": options}


def slash(
    command: str,
    sub: str | None = None,
    *,
    user_id: str,
    roles: Sequence[str] = (),
    permissions: int = 0,
    **values: Any,
) -> dict[str, Any]:
    """An APPLICATION_COMMAND interaction, e.g. ``slash("start", "timer", client="Acme")``."""
    data = _data(command, sub, values, None)
    return _interaction(2, data, user_id=user_id, roles=roles, permissions=permissions)


def autocomplete(
    command: str,
    sub: str | None = None,
    *,
    focused: str,
    user_id: str,
    roles: Sequence[str] = (),
    **values: Any,
) -> dict[str, Any]:
    """An APPLICATION_COMMAND_AUTOCOMPLETE interaction with ``focused`` being typed."""
    data = _data(command, sub, values, focused)
    return _interaction(4, data, user_id=user_id, roles=roles, permissions=0)


def click(
    custom_id: str,
    *,
    user_id: str,
    roles: Sequence[str] = (),
    permissions: int = 0,
    message: Reply | None = None,
) -> dict[str, Any]:
    """A MESSAGE_COMPONENT interaction: a button with ``custom_id`` pressed on ``message``
    (the reply it sits on; its text and buttons are sent along, as Discord does)."""
    data = {"custom_id": custom_id, "component_type": 2}
    payload = _interaction(3, data, user_id=user_id, roles=roles, permissions=permissions)
    shown = {"content": "", "flags": EPHEMERAL}
    if message is not None:
        shown = {"content": message.content, "flags": EPHEMERAL, "components": message.components}
    payload["message"] = _message(shown)
    return payload


def choose(
    custom_id: str,
    values: Sequence[str],
    *,
    user_id: str,
    roles: Sequence[str] = (),
    permissions: int = 0,
    message: Reply | None = None,
) -> dict[str, Any]:
    """A MESSAGE_COMPONENT interaction: ``values`` chosen in the text select menu
    ``custom_id`` (component type 3) on ``message``."""
    payload = click(
        custom_id, user_id=user_id, roles=roles, permissions=permissions, message=message
    )
    payload["data"] = {"custom_id": custom_id, "component_type": 3, "values": list(values)}
    return payload


def submit(
    custom_id: str,
    values: Mapping[str, str],
    *,
    user_id: str,
    roles: Sequence[str] = (),
    permissions: int = 0,
    message: Reply | None = None,
) -> dict[str, Any]:
    """A MODAL_SUBMIT interaction (type 5): the modal ``custom_id`` sent with its text inputs,
    ``{input custom_id: value}``, each in its own action row as Discord sends them. With
    ``message``, the modal was opened from a component on that message."""
    numbers = itertools.count(1)
    rows = [
        {
            "type": 1,
            "id": next(numbers),
            "components": [{"type": 4, "id": next(numbers), "custom_id": cid, "value": value}],
        }
        for cid, value in values.items()
    ]
    data = {"custom_id": custom_id, "components": rows}
    payload = _interaction(5, data, user_id=user_id, roles=roles, permissions=permissions)
    if message is not None:
        shown = {"content": message.content, "flags": EPHEMERAL, "components": message.components}
        payload["message"] = _message(shown)
    return payload


@dataclass(frozen=True, slots=True)
class Form:
    """A modal the bot opened (interaction response type 9), as Discord shows it."""

    title: str
    custom_id: str
    inputs: list[dict[str, Any]]

    @property
    def values(self) -> dict[str, str]:
        """``{field: prefilled value}``; a field is its input's custom id up to the first ":"."""
        return {i["custom_id"].split(":")[0]: i.get("value", "") for i in self.inputs}

    def input(self, field: str) -> dict[str, Any]:
        (found,) = [i for i in self.inputs if i["custom_id"].split(":")[0] == field]
        return found

    def submit(
        self, *, user_id: str, message: Reply | None = None, permissions: int = 0, **changed: str
    ) -> dict[str, Any]:
        """The modal sent back: every field as prefilled, except those in ``changed``."""
        values = {}
        for field_input in self.inputs:
            field = field_input["custom_id"].split(":")[0]
            values[field_input["custom_id"]] = changed.pop(field, field_input.get("value", ""))
        assert not changed, f"no such fields: {sorted(changed)}"
        return submit(
            self.custom_id, values, user_id=user_id, permissions=permissions, message=message
        )


@dataclass(frozen=True, slots=True)
class RestCall:
    """One request our bot made to (the stand-in for) Discord's REST API."""

    method: str
    path: str
    payload: Any
    files: dict[str, bytes] = field(default_factory=dict)


def _shown(components: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Components as Discord returns them: each numbered (``id``), rows and what they hold."""
    numbers = itertools.count(1)

    def number(component: Mapping[str, Any]) -> dict[str, Any]:
        shown = {"id": next(numbers), **component}
        if "components" in component:
            shown["components"] = [number(c) for c in component["components"]]
        return shown

    return [number(c) for c in components]


def _message(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A message object good enough for hikari to parse the answer to an edit/follow-up."""
    return {
        "id": _snowflake(),
        "channel_id": CHANNEL_ID,
        "author": {"id": APP_ID, "username": "timetrack", "discriminator": "0", "avatar": None},
        "content": payload.get("content") or "",
        "timestamp": "2025-01-01T00:00:00+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": int(payload.get("flags") or 0),
        **({"components": _shown(payload["components"])} if payload.get("components") else {}),
    }


def _application() -> dict[str, Any]:
    owner = {"id": "900000000000000009", "username": "owner", "discriminator": "0", "avatar": None}
    return {
        "id": APP_ID,
        "name": "timetrack",
        "description": "",
        "bot_public": False,
        "bot_require_code_grant": False,
        "owner": owner,
        "verify_key": "00" * 32,
        "flags": 0,
        "icon": None,
        "team": None,
        "approximate_guild_count": 1,
        "approximate_user_install_count": 0,
    }


def _command(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": _snowflake(),
        "application_id": APP_ID,
        "version": _snowflake(),
        "default_member_permissions": None,
        "nsfw": False,
        "contexts": [0],
        "integration_types": [0],
        **raw,
    }


class DiscordStub:
    """A local stand-in for Discord's REST API that records every call."""

    def __init__(self) -> None:
        self.calls: list[RestCall] = []
        self.refused: list[RestCall] = []
        self._refusals = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> DiscordStub:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/api/v10"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def refuse_next(self, count: int = 1) -> None:
        """Answer the next ``count`` messages (edits, follow-ups) with Discord's 404 for an
        interaction it no longer knows."""
        self._refusals += count

    def _refusal(self, call: RestCall) -> web.Response | None:
        is_message = call.method in ("PATCH", "POST") and "/webhooks/" in call.path
        if not is_message:
            return None
        if self._refusals:
            self._refusals -= 1
            body = {"code": 10062, "message": "Unknown interaction"}
            return web.json_response(body, status=404)
        content = call.payload.get("content") if isinstance(call.payload, dict) else None
        components = call.payload.get("components") if isinstance(call.payload, dict) else None
        problems = component_problems(components or [])
        if problems:
            body = {"code": 50035, "message": "Invalid Form Body", "errors": problems}
            return web.json_response(body, status=400)
        if content is not None and len(content) > CONTENT_LIMIT:
            body = {
                "code": 50035,
                "message": "Invalid Form Body",
                "errors": {"content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH"}]}},
            }
            return web.json_response(body, status=400)
        return None

    async def _handle(self, request: web.Request) -> web.Response:
        payload: Any = {}
        files: dict[str, bytes] = {}
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, aiohttp.BodyPartReader):
                    continue
                data = await part.read()
                if part.name == "payload_json":
                    payload = json.loads(data)
                else:
                    files[part.filename or part.name or "?"] = bytes(data)
        elif request.can_read_body:
            payload = json.loads(await request.read() or b"{}")
        call = RestCall(request.method, request.path, payload, files)
        refusal = self._refusal(call)
        if refusal is not None:
            self.refused.append(call)
            return refusal
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        if request.method == "DELETE":
            return web.Response(status=204)
        if request.path.endswith("/applications/@me"):
            return web.json_response(_application())
        if request.method == "POST" and request.path.endswith("/callback"):
            # The initial response to an interaction (gateway mode): /interactions/{id}/{token}.
            interaction_id = request.path.split("/")[-3]
            return web.json_response({"interaction": {"id": interaction_id, "type": 3}})
        if request.method == "GET" and request.path.endswith("/commands"):
            return web.json_response([])
        if request.method == "PUT" and request.path.endswith("/commands"):
            raw = json.loads(await request.read() or b"[]")
            return web.json_response([_command(c) for c in raw])
        return web.json_response(_message(payload))

    async def wait_for(self, token: str, *, count: int = 1) -> list[RestCall]:
        """The first ``count`` calls about the interaction with this token (edit, follow-ups)."""

        def matching() -> list[RestCall]:
            return [c for c in self.calls if f"/{token}" in c.path]

        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(matching()) >= count), TIMEOUT
            )
            return matching()[:count]


@dataclass(frozen=True, slots=True)
class Reply:
    """What Discord would have shown for one interaction."""

    status: int
    response: dict[str, Any]
    final: RestCall | None = None
    text: str = ""

    @property
    def content(self) -> str:
        """The text the user finally sees (edit of a deferred response, or the direct reply)."""
        if self.final is not None:
            return str(self.final.payload.get("content") or "")
        return str(self.response.get("data", {}).get("content") or "")

    @property
    def ephemeral(self) -> bool:
        """Only the caller sees it: the flag sits on the initial (possibly deferred) response."""
        return bool(int(self.response.get("data", {}).get("flags") or 0) & EPHEMERAL)

    @property
    def deferred(self) -> bool:
        return self.response.get("type") == 5

    @property
    def components(self) -> list[dict[str, Any]]:
        """The action rows under the text the user finally sees."""
        if self.final is not None:
            return list(self.final.payload.get("components") or [])
        return list(self.response.get("data", {}).get("components") or [])

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """``(label, custom_id)`` of every button shown, row by row."""
        return [
            (button.get("label", ""), button["custom_id"])
            for row in self.components
            for button in row.get("components", [])
            if "custom_id" in button
        ]

    def button(self, label: str) -> str:
        """The custom_id of the one button labelled ``label`` (AssertionError otherwise)."""
        found = [custom_id for shown, custom_id in self.buttons if shown == label]
        assert len(found) == 1, f"expected one {label!r} button, got {self.buttons}"
        return found[0]

    @property
    def updated(self) -> bool:
        """A click answered by editing the message its button sits on (not a new message)."""
        return (
            self.response.get("type") == 6
            and self.final is not None
            and self.final.method == "PATCH"
            and self.final.path.endswith("/messages/@original")
        )

    @property
    def apart(self) -> bool:
        """A click answered with a new message only the clicker sees, the button's message
        left as it was: at once (type 4), or as a follow-up after deferring the update."""
        if self.response.get("type") == 4:
            return self.ephemeral
        return (
            self.response.get("type") == 6
            and self.final is not None
            and self.final.method == "POST"
            and bool(int(self.final.payload.get("flags") or 0) & EPHEMERAL)
        )

    @property
    def options(self) -> list[tuple[str, str]]:
        """``(label, value)`` of every option of the select menus shown."""
        return [
            (option["label"], option["value"])
            for row in self.components
            for menu in row.get("components", [])
            for option in menu.get("options", [])
        ]

    def menu(self) -> str:
        """The custom_id of the one select menu shown (AssertionError otherwise)."""
        found = [
            menu["custom_id"]
            for row in self.components
            for menu in row.get("components", [])
            if menu.get("type") == 3
        ]
        assert len(found) == 1, f"expected one menu, got {self.components}"
        return found[0]

    @property
    def form(self) -> Form:
        """The modal this interaction was answered with (AssertionError otherwise)."""
        assert self.response.get("type") == 9, f"not a modal: {self.response}"
        data = self.response["data"]
        inputs = [c for row in data["components"] for c in row["components"]]
        return Form(data["title"], data["custom_id"], inputs)

    @property
    def choices(self) -> list[tuple[str, str]]:
        raw = self.response.get("data", {}).get("choices", [])
        return [(c["name"], c["value"]) for c in raw]


async def _short_sleep(delay: float) -> None:
    """The outbox replayer's backoff and idle waits, cut to at most 10 ms."""
    await asyncio.sleep(min(delay, 0.01))


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


class BotHarness:
    """Our RESTBot on 127.0.0.1 with our plugins, a `DiscordStub` and the given Notion transport.

    ``env`` is the environment given to `Settings.from_env` on top of what the harness sets
    (Discord keys and URLs). Use as ``async with BotHarness(env, transport=...) as bot``.
    """

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        plugins: Sequence[str] | None = None,
        update_commands: bool = False,
        webhook: bool = False,
    ) -> None:
        self.signer = Signer()
        self._update_commands = update_commands
        self._webhook = webhook
        self.discord = DiscordStub()
        self.clock = clock or Clock()
        self._env = dict(env)
        self._transport = transport
        self._plugins = plugins
        self._session: aiohttp.ClientSession | None = None
        self._data_dir: tempfile.TemporaryDirectory[str] | None = None
        self.url = ""
        self.bot: Any = None
        self.client: Any = None
        self.model: Any = None

    async def __aenter__(self) -> BotHarness:
        from bot.app import PLUGINS, build_rest_bot
        from bot.model import Model
        from notion_client import RateLimit, RetryPolicy
        from timesheet.config import Settings

        await self.discord.__aenter__()
        self._data_dir = tempfile.TemporaryDirectory(prefix="timetrack-bot-")
        env = {
            "DATA_DIR": self._data_dir.name,
            "DISCORD_TOKEN": "test.bot.token",
            "DISCORD_PUBLIC_KEY": self.signer.public_key,
            "DISCORD_API_URL": self.discord.url,
            # The reminder check queries Notion at start: on only where a test asks for it.
            "REMIND_AFTER": "off",
            **self._env,
        }
        if self._webhook:
            env["TIMESHEET_WEBHOOK_URL"] = f"{self.discord.url}/webhooks/{APP_ID}/{WEBHOOK_TOKEN}"
        settings = Settings.from_env(env)
        retry = RetryPolicy(max_attempts=2, base_delay=0.0, max_delay=0.0)
        self.model = Model(
            settings,
            transport=self._transport,
            clock=self.clock,
            retry=retry,
            rate_limit=RateLimit(rate=0),
            replay_sleep=_short_sleep,
        )
        self.bot, self.client = build_rest_bot(
            settings,
            self.model,
            update_commands=self._update_commands,
            plugins=self._plugins if self._plugins is not None else PLUGINS,
            logs=None,
        )
        sock = free_socket()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
        await self.bot.start(socket=sock, check_for_updates=False)
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._session is not None:
            await self._session.close()
        if self.bot is not None:
            await self.bot.close()
        await self.discord.__aexit__(*exc_info)
        if self._data_dir is not None:
            self._data_dir.cleanup()

    async def post(
        self, body: bytes, headers: Mapping[str, str]
    ) -> tuple[int, dict[str, Any], str]:
        """POST raw bytes to the interaction server; (status, JSON or {}, text)."""
        assert self._session is not None
        async with self._session.post(self.url, data=body, headers=dict(headers)) as response:
            text = await response.text()
            try:
                data = json.loads(text)
            except ValueError:
                data = {}
            return response.status, data, text

    async def send(self, payload: dict[str, Any]) -> Reply:
        """Sign and post an interaction; for a deferred one (a message, or the update of a
        button's message), wait for the edit or follow-up that answers it."""
        body = json.dumps(payload).encode()
        status, data, text = await asyncio.wait_for(
            self.post(body, self.signer.headers(body)), TIMEOUT
        )
        final = None
        if status == 200 and data.get("type") in (5, 6):
            (final,) = await self.discord.wait_for(payload["token"])
        _check_limits(data)
        return Reply(status, data, final, text)

    def messages(self, reply: Reply) -> list[RestCall]:
        """Every message Discord took for the interaction of ``reply`` (its edit, follow-ups)."""
        assert reply.final is not None
        token = reply.final.path.split("/")[5]
        return [c for c in self.discord.calls if f"/{token}" in c.path]


def component_problems(rows: Sequence[Mapping[str, Any]], *, modal: bool = False) -> list[str]:
    """What Discord would refuse in a message's (or, ``modal``, a modal's) action rows."""
    problems = [] if len(rows) <= ROWS_LIMIT else [f"{len(rows)} rows"]
    for row in rows:
        items = row.get("components", [])
        if len(items) > ROW_WIDTH or (modal and len(items) != 1):
            problems.append(f"{len(items)} components in a row")
        for item in items:
            if len(item.get("custom_id", "")) > CUSTOM_ID_LIMIT:
                problems.append(f"custom_id {item['custom_id']!r}")
            if item.get("type") == 2 and len(item.get("label", "")) > BUTTON_LABEL_LIMIT:
                problems.append(f"button label {item['label']!r}")
            if item.get("type") == 3:
                options = item.get("options", [])
                if not 1 <= len(options) <= OPTIONS_LIMIT:
                    problems.append(f"{len(options)} menu options")
                if len(item.get("placeholder", "")) > PLACEHOLDER_LIMIT:
                    problems.append("menu placeholder")
                for option in options:
                    for key in ("label", "value", "description"):
                        if len(option.get(key, "")) > OPTION_TEXT_LIMIT:
                            problems.append(f"option {key} {option[key]!r}")
            if item.get("type") == 4:
                if not 1 <= len(item.get("label", "")) <= INPUT_LABEL_LIMIT:
                    problems.append(f"input label {item.get('label')!r}")
                if len(item.get("placeholder", "")) > INPUT_PLACEHOLDER_LIMIT:
                    problems.append(f"input placeholder {item['placeholder']!r}")
                if len(item.get("value", "")) > min(
                    INPUT_VALUE_LIMIT, item.get("max_length", INPUT_VALUE_LIMIT)
                ):
                    problems.append(f"input value of {item['custom_id']!r}")
    return problems


def _check_limits(answer: dict[str, Any]) -> None:
    """What Discord would refuse in a direct answer to an interaction."""
    data = answer.get("data") or {}
    if answer.get("type") == 9:
        assert 1 <= len(data["title"]) <= MODAL_TITLE_LIMIT, f"modal title {data['title']!r}"
        assert len(data["custom_id"]) <= CUSTOM_ID_LIMIT, f"modal custom_id {data['custom_id']}"
        assert component_problems(data["components"], modal=True) == []
        return
    assert component_problems(data.get("components") or []) == []
    assert len(data.get("content") or "") <= CONTENT_LIMIT, "content over Discord's limit"
    choices = data.get("choices") or []
    assert len(choices) <= CHOICES_LIMIT, f"{len(choices)} autocomplete choices"
    for choice in choices:
        assert 1 <= len(choice["name"]) <= CHOICE_LIMIT, f"choice name {choice['name']!r}"
        assert 1 <= len(str(choice["value"])) <= CHOICE_LIMIT, f"choice value {choice!r}"
