"""timetrack package."""
