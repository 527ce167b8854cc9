"""``python -m bot`` runs the bot, like ``timetrack bot`` (same options: --http --host --port)."""

from __future__ import annotations

import sys

from bot.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    raise SystemExit(main(["bot", *sys.argv[1:]]))
