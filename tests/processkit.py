"""Test kit for real processes: `timetrack` commands and `timetrack bot --http`, sharing the
in-memory Notion served over loopback and one DATA_DIR.

- `run_cli(env, *args)` runs one terminal command; `Run` has its exit code, stdout, stderr.
  `run_script(*args, env=, cwd=)` does the same for a test that is not async.
- `bot_process(env, signer, tmp_path)` starts the HTTP interaction server as a process and
  yields a `BotProcess` that sends signed interactions; it stops it with SIGTERM on exit.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import aiohttp
from botkit import Signer, free_socket

__all__ = ["SCRIPT", "BotProcess", "Run", "bot_process", "run_cli", "run_script"]

#: The `timetrack` console script of this environment.
SCRIPT: Final = Path(sys.executable).with_name("timetrack")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


async def run_cli(env: Mapping[str, str], *args: str) -> Run:
    """Run ``timetrack ARGS`` in its own process with exactly ``env`` (plus PATH)."""
    proc = await asyncio.create_subprocess_exec(
        str(SCRIPT),
        *args,
        env={"PATH": os.environ.get("PATH", ""), **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return Run(proc.returncode, out.decode(), err.decode())


def run_script(*args: str, env: Mapping[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``timetrack ARGS`` in ``cwd`` with exactly ``env`` (plus PATH), blocking until done."""
    return subprocess.run(
        [str(SCRIPT), *args],
        env={"PATH": os.environ.get("PATH", ""), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@dataclass
class BotProcess:
    """A running `timetrack bot --http` and what it printed so far (after exit: all)."""

    url: str
    signer: Signer
    proc: asyncio.subprocess.Process
    session: aiohttp.ClientSession
    output: str = ""

    async def post(self, payload: Mapping[str, Any]) -> tuple[int, dict[str, Any] | None]:
        body = json.dumps(payload).encode()
        async with self.session.post(
            self.url, data=body, headers=self.signer.headers(body)
        ) as response:
            data = await response.json() if response.status == 200 else None
            return response.status, data


async def _wait_listening(url: str, proc: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(600):
            if proc.returncode is not None:
                raise AssertionError("the bot exited early")
            try:
                async with session.get(url) as response:
                    await response.read()
                    return
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
    raise AssertionError("the bot never listened")


@asynccontextmanager
async def bot_process(
    env: Mapping[str, str], signer: Signer, cwd: Path
) -> AsyncIterator[BotProcess]:
    """`timetrack bot --http` on a free loopback port with ``env`` (DISCORD_PUBLIC_KEY is the
    signer's); stopped with SIGTERM when the block ends, its output in ``BotProcess.output``."""
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    proc = await asyncio.create_subprocess_exec(
        str(SCRIPT),
        "bot",
        "--http",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        env={"PATH": os.environ.get("PATH", ""), "DISCORD_PUBLIC_KEY": signer.public_key, **env},
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/"
    bot: BotProcess | None = None
    try:
        await asyncio.wait_for(_wait_listening(url, proc), 30)
        async with aiohttp.ClientSession() as session:
            bot = BotProcess(url, signer, proc, session)
            yield bot
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 30)
        if bot is not None:
            bot.output = out.decode() + err.decode()
