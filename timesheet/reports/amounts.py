"""Amounts per client for a report (``timetrack report --amounts``): shown hours × rate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from timesheet.clients.model import ClientInfo, client_key
from timesheet.reports.aggregate import WeekTable

__all__ = ["ClientAmount", "amount_lines", "client_amounts"]

_CENT: Final = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class ClientAmount:
    """What a client's time in a report comes to: its shown hours × its rate, to the cent."""

    hours: Decimal
    rate: Decimal
    amount: Decimal
    currency: str | None = None


def client_amounts(table: WeekTable, clients: Sequence[ClientInfo]) -> dict[str, ClientAmount]:
    """The amount of each client of ``table`` that has a rate (the table's column totals, as
    shown with 2 decimals, times the rate); clients without one are left out."""
    rates = {client_key(c.name): c for c in clients if c.rate is not None}
    found: dict[str, ClientAmount] = {}
    for client in table.clients:
        info = rates.get(client_key(client))
        if info is None or info.rate is None:
            continue
        hours = Decimal(f"{float(table.shown[client].iloc[-1]):.2f}")
        amount = (hours * info.rate).quantize(_CENT, rounding=ROUND_HALF_UP)
        found[client] = ClientAmount(hours, info.rate.quantize(_CENT), amount, info.currency)
    return found


def amount_lines(amounts: Mapping[str, ClientAmount]) -> list[str]:
    """One note per client, then the total per currency when there are several clients:
    ``"Acme: 12.50 h × 120.00 = 1,500.00 EUR"``."""
    lines = []
    sums: dict[str, Decimal] = {}
    for client, a in amounts.items():
        unit = f" {a.currency}" if a.currency else ""
        lines.append(f"{client}: {a.hours:.2f} h × {a.rate:.2f} = {a.amount:,.2f}{unit}")
        sums[unit] = sums.get(unit, Decimal("0.00")) + a.amount
    if len(amounts) > 1:
        lines.append("Amount: " + " + ".join(f"{v:,.2f}{u}" for u, v in sums.items()))
    return lines
