"""Who may use the bot (ALLOWED_USER_IDS / ALLOWED_ROLE_IDS) and who may end others' timers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import hikari

__all__ = ["REFUSAL", "Caller", "caller_from", "is_allowed"]

#: The polite answer to someone the bot is not set up to serve.
REFUSAL: Final = (
    "Sorry, this bot only tracks time for the people it was set up for. "
    "Ask a server manager if you should be one of them."
)

_MANAGER: Final = hikari.Permissions.MANAGE_GUILD | hikari.Permissions.ADMINISTRATOR


@dataclass(frozen=True, slots=True)
class Caller:
    """The person behind an interaction, as far as authorization is concerned."""

    user_id: str
    role_ids: frozenset[str] = frozenset()
    manages_server: bool = False


def caller_from(user: hikari.PartialUser, member: hikari.Member | None) -> Caller:
    """Read the caller from an interaction's user and member (member is None in DMs).

    Manage Server comes from the permissions Discord computed for the interaction's member;
    Administrator implies it.
    """
    roles = frozenset(str(r) for r in member.role_ids) if member is not None else frozenset()
    manages = False
    if isinstance(member, hikari.InteractionMember):
        manages = bool(member.permissions & _MANAGER)
    return Caller(user_id=str(user.id), role_ids=roles, manages_server=manages)


def is_allowed(
    caller: Caller, allowed_user_ids: Iterable[str], allowed_role_ids: Iterable[str]
) -> bool:
    """Everyone when both lists are empty; otherwise a listed user or a member of a listed role."""
    users = frozenset(allowed_user_ids)
    roles = frozenset(allowed_role_ids)
    if not users and not roles:
        return True
    return caller.user_id in users or not roles.isdisjoint(caller.role_ids)
