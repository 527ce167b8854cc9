"""Clients: rates, currencies, weekly targets and budgets (Notion's Clients database, RATES)."""
