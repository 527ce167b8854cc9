"""Benchmarks: commands that print figures (`uv run python -m benchmarks.<name>`)."""
