"""Build the hikari bot (gateway or HTTP interactions) and the crescent client with our plugins."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import signal
import sys
from collections.abc import Sequence
from typing import Any, Final

import crescent
import hikari

from bot.clicks import route_clicks
from bot.command_run import CommandRun, current_run_or_none, fail_command, new_run
from bot.health_http import health_routes
from bot.interaction_guard import GuardedRESTBot
from bot.jobs import BackgroundJobs
from bot.last_messages import LastMessages
from bot.logs import quiet_bad_signatures
from bot.model import Model
from timesheet.config import ConfigError, Settings

__all__ = ["PLUGINS", "TimetrackClient", "build_gateway_bot", "build_rest_bot", "serve_http"]

#: Plugin modules, loaded by module path (load_folder depends on the working directory).
PLUGINS: Final = (
    "bot.plugins.timer",
    "bot.plugins.corrections",
    "bot.plugins.edit",
    "bot.plugins.entries",
    "bot.plugins.timesheet",
    "bot.plugins.check",
    "bot.plugins.target",
    "bot.plugins.invoice",
    "bot.plugins.panel",
    "bot.plugins.status",
)

_log = logging.getLogger("timetrack.bot")


class TimetrackClient(crescent.Client):
    """crescent's client with one place turning any command error into one ephemeral line.

    (crescent's ``catch_command`` matches a class and its direct subclasses only.)
    ``jobs`` are the background tasks (weekly post) started and stopped with the bot.
    """

    jobs: BackgroundJobs

    async def on_crescent_command_error(
        self, exc: Exception, ctx: crescent.Context, was_handled: bool
    ) -> None:
        if was_handled:
            return
        run: CommandRun = current_run_or_none() or new_run(ctx)
        model = ctx.client.model
        await fail_command(run, exc, model if isinstance(model, Model) else None)

    async def on_crescent_autocomplete_error(
        self,
        exc: Exception,
        ctx: crescent.AutocompleteContext,
        option: hikari.AutocompleteInteractionOption,
        was_handled: bool,
    ) -> None:
        if not was_handled:
            _log.warning("autocomplete of %s failed: %s", ctx.command, type(exc).__name__)


def _bound_elsewhere(path: str) -> bool:
    module = sys.modules.get(path)
    plugin = getattr(module, "plugin", None)
    if not isinstance(plugin, crescent.Plugin):
        return False
    try:
        plugin.client  # noqa: B018  (raises AttributeError while not loaded anywhere)
    except AttributeError:
        return False
    return True


def _load_plugins(client: crescent.Client, plugins: Sequence[str]) -> None:
    for path in plugins:
        # crescent's commands are module-level objects that keep the client and the guild they
        # were first registered with: a second client in the same process (tests, benchmarks)
        # gets fresh ones from a re-imported module.
        if _bound_elsewhere(path):
            importlib.reload(sys.modules[path])
        client.plugins.load(path)


def _client(
    app: hikari.GatewayBot | hikari.RESTBot,
    model: Model,
    *,
    update_commands: bool,
    plugins: Sequence[str],
) -> TimetrackClient:
    guild = model.settings.discord_guild_id
    client = TimetrackClient(
        app,
        model,
        default_guild=hikari.Snowflake(guild) if guild else None,
        update_commands=update_commands,
    )
    last_messages = None
    if isinstance(app, hikari.GatewayBot) and model.settings.remind_after is not None:
        # Reminders offer "Stop at my last message": message times need GUILD_MESSAGES.
        last_messages = LastMessages()
        app.event_manager.subscribe(hikari.GuildMessageCreateEvent, last_messages.on_message)
    client.jobs = BackgroundJobs(model, app.rest, last_messages)
    _load_plugins(client, plugins)
    route_clicks(app, model)
    return client


def build_gateway_bot(
    settings: Settings,
    model: Model,
    *,
    plugins: Sequence[str] = PLUGINS,
    logs: str | int | dict[str, Any] | None = "INFO",
) -> tuple[hikari.GatewayBot, TimetrackClient]:
    """A gateway bot (DISCORD_TOKEN); commands registered on start."""
    settings.require("DISCORD_TOKEN")
    assert settings.discord_token is not None
    try:
        # GUILD_MESSAGES (not privileged, no message content) only for the reminders' "Stop
        # at my last message"; commands and clicks need no intent.
        intents = hikari.Intents.GUILD_MESSAGES if settings.remind_after else hikari.Intents.NONE
        bot = hikari.GatewayBot(
            settings.discord_token,
            intents=intents,
            logs=logs,
            banner=None,
            suppress_optimization_warning=True,
            rest_url=settings.discord_api_url,
        )
    except ValueError:
        raise ConfigError("DISCORD_TOKEN", "not a bot token (Developer Portal > Bot)") from None

    client = _client(bot, model, update_commands=True, plugins=plugins)

    async def on_starting(_: hikari.StartingEvent) -> None:
        await model.open()

    async def on_started(_: hikari.StartedEvent) -> None:
        await client.jobs.start()

    async def on_stopping(_: hikari.StoppingEvent) -> None:
        await client.jobs.stop()

    async def on_stopped(_: hikari.StoppedEvent) -> None:
        await model.close()

    bot.event_manager.subscribe(hikari.StartingEvent, on_starting)
    bot.event_manager.subscribe(hikari.StartedEvent, on_started)
    bot.event_manager.subscribe(hikari.StoppingEvent, on_stopping)
    bot.event_manager.subscribe(hikari.StoppedEvent, on_stopped)
    return bot, client


def build_rest_bot(
    settings: Settings,
    model: Model,
    *,
    update_commands: bool = True,
    plugins: Sequence[str] = PLUGINS,
    logs: str | int | dict[str, Any] | None = "INFO",
) -> tuple[hikari.RESTBot, TimetrackClient]:
    """An HTTP-interactions bot: signatures checked with DISCORD_PUBLIC_KEY by hikari; stale
    and replayed requests refused (`bot.interaction_guard`)."""
    settings.require("DISCORD_PUBLIC_KEY", "DISCORD_TOKEN")
    assert settings.discord_token is not None
    assert settings.discord_public_key is not None
    quiet_bad_signatures()
    bot = GuardedRESTBot(
        settings.discord_token,
        public_key=settings.discord_public_key,
        logs=logs,
        rest_url=settings.discord_api_url,
        routes=health_routes(model),
    )

    async def on_start(_: hikari.RESTBot) -> None:
        await model.open()

    bot.add_startup_callback(on_start)  # before crescent's own: commands need the model
    client = _client(bot, model, update_commands=update_commands, plugins=plugins)

    async def on_started(_: hikari.RESTBot) -> None:
        await client.jobs.start()

    async def on_stop(_: hikari.RESTBot) -> None:
        await client.jobs.stop()
        await model.close()

    bot.add_startup_callback(on_started)
    bot.add_shutdown_callback(on_stop)
    return bot, client


async def serve_http(bot: hikari.RESTBot, *, host: str, port: int) -> None:
    """Serve interactions until SIGINT/SIGTERM, then close cleanly.

    Used instead of ``RESTBot.run()``: when start-up fails (Discord unreachable while
    registering commands) ``run()`` hides the error behind a second one from closing a server
    that never started; here the first error propagates as is.
    """
    await bot.start(host=host, port=port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await bot.close()
