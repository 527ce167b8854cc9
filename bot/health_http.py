"""GET /healthz: JSON for a load balancer or a monitor, 200 when Notion answers, else 503.

Served beside the interactions in HTTP mode (`bot.interaction_guard`), and on HEALTH_PORT
(127.0.0.1) by `HealthServer` when set. Notion is never asked per request: the answer uses
what the bot heard from it in the last 30 s, or one probe shared by every caller.
"""

from __future__ import annotations

import logging
from typing import Final

from aiohttp import web

from bot.model import Model
from timesheet.health.status import StatusReport, gather_status

__all__ = ["HEALTHZ_PATH", "HealthServer", "health_report", "health_routes"]

HEALTHZ_PATH: Final = "/healthz"

_log = logging.getLogger("timetrack.health")


async def health_report(model: Model) -> StatusReport:
    """Notion's state (cached, or one probe), the ledger, the weekly post: no schema read."""
    state = await model.notion_watch.current(model.probe_notion)
    return await gather_status(
        model.settings,
        ledger=model.ledger,
        notion=state,
        schema=None,
        now=model.now(),
        reminders_due=model.reminders_due,
    )


def health_routes(model: Model) -> list[web.RouteDef]:
    async def healthz(_: web.Request) -> web.Response:
        try:
            report = await health_report(model)
        except Exception as exc:  # not open yet, closing, DATA_DIR unreadable
            _log.warning("/healthz could not be answered: %s", type(exc).__name__)
            return web.json_response({"status": "down", "error": type(exc).__name__}, status=503)
        return web.json_response(report.as_json(), status=200 if report.healthy else 503)

    return [web.get(HEALTHZ_PATH, healthz)]


class HealthServer:
    """A tiny aiohttp app serving /healthz only (gateway mode, or HEALTH_PORT)."""

    def __init__(self, model: Model, *, host: str = "127.0.0.1", port: int) -> None:
        self._model = model
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.add_routes(health_routes(self._model))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, self._host, self._port).start()
        self._runner = runner
        _log.info("serving %s on %s:%d", HEALTHZ_PATH, self._host, self._port)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
