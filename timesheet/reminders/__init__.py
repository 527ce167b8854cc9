"""Forgotten-timer reminders: which running timers are owed one, recorded in the ledger."""
