"""Text shown to people within a size limit: clip what they typed, split long messages.

The one home of clipping for every layer (replies, buttons, autocomplete, errors, the webhook
embed, chart legends): a name or note people typed is *clipped* with an ellipsis; a message
of facts is *split* into several, never cut.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Final

__all__ = ["ELLIPSIS", "REPLACEMENT", "clip", "one_line", "pack_lines", "split_hard"]

ELLIPSIS: Final = "…"
#: Shown in place of a control character echoed back.
REPLACEMENT: Final = "\ufffd"


def clip(text: str, limit: int) -> str:
    """``text`` if it has at most ``limit`` characters, else its first ``limit - 1`` and "…"."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def one_line(text: str) -> str:
    """``text`` with each control character and line or paragraph separator shown as "�",
    so an answer that echoes what someone typed stays on one line."""
    return "".join(
        REPLACEMENT if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text
    )


def split_hard(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters (at least one piece)."""
    return [text[i : i + limit] for i in range(0, len(text), limit)] or [""]


def pack_lines(lines: Iterable[str], limit: int) -> list[str]:
    """``lines`` joined with newlines into as few texts of at most ``limit`` characters as
    they fit in, in order; a line longer than ``limit`` is split. Nothing is left out."""
    texts: list[str] = []
    for line in lines:
        for piece in split_hard(line, limit):
            if texts and len(texts[-1]) + 1 + len(piece) <= limit:
                texts[-1] += "\n" + piece
            else:
                texts.append(piece)
    return texts
