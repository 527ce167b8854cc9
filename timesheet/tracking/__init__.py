"""The tracking engine: operations, the ledger, apply(), the timer rules, replay."""
