"""File formats' cost: time to read and write N entries in each format of other trackers.

Synthetic files of ``--entries`` rows (default 10,000): a Toggl and a Clockify detailed CSV
(month-first dates, 12-hour times, so order detection scans the file), a timew export and a
Watson frames file; and the timew and iCalendar writers on as many entries. Times are the
median of ``--runs`` runs (default 5).

Run: ``uv run python -m benchmarks.transfer_files [--entries 10000] [--runs 5]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from timesheet.entries.model import TimeEntry
from timesheet.transfer import (
    read_clockify,
    read_timew,
    read_toggl,
    read_watson,
    write_ics,
    write_timew,
)

TZ = ZoneInfo("Europe/London")
FIRST = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def _starts(count: int) -> list[datetime]:
    return [FIRST + timedelta(hours=3 * i) for i in range(count)]


def toggl_csv(count: int) -> bytes:
    lines = [
        "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,"
        "End time,Duration,Tags,Amount (USD)"
    ]
    for i, start in enumerate(_starts(count)):
        s, e = start.astimezone(TZ), (start + timedelta(minutes=50)).astimezone(TZ)
        lines.append(
            f'Ann,ann@example.com,Client {i % 9},Project {i % 4},,"Task {i}, part",Yes,'
            f'{s:%Y-%m-%d},{s:%H:%M:%S},{e:%Y-%m-%d},{e:%H:%M:%S},00:50:00,"a, b",41.67'
        )
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def clockify_csv(count: int) -> bytes:
    lines = [
        "Project,Client,Description,Task,User,Group,Email,Tags,Billable,Start Date,Start Time,"
        "End Date,End Time,Duration (h),Duration (decimal),Billable Rate (USD),"
        "Billable Amount (USD)"
    ]
    for i, start in enumerate(_starts(count)):
        s, e = start.astimezone(TZ), (start + timedelta(minutes=50)).astimezone(TZ)
        lines.append(
            f"Project {i % 4},Client {i % 9},Task {i},,Ann,,ann@example.com,a,Yes,"
            f"{s:%m/%d/%Y},{s:%I:%M %p},{e:%m/%d/%Y},{e:%I:%M %p},00:50:00,0.83,50.00,41.67"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def timew_json(count: int) -> bytes:
    intervals = [
        {
            "id": count - i,
            "start": f"{s:%Y%m%dT%H%M%SZ}",
            "end": f"{s + timedelta(minutes=50):%Y%m%dT%H%M%SZ}",
            "tags": [f"client{i % 9}", f"task{i}"],
            "annotation": f"note {i}",
        }
        for i, s in enumerate(_starts(count))
    ]
    return json.dumps(intervals).encode()


def watson_json(count: int) -> bytes:
    frames = [
        [int(s.timestamp()), int(s.timestamp()) + 3000, f"client{i % 9}", f"{i:032x}", ["t"], 0]
        for i, s in enumerate(_starts(count))
    ]
    return json.dumps(frames).encode()


def entries(count: int) -> list[TimeEntry]:
    return [
        TimeEntry(f"{i:032x}", "u", f"Client {i % 9}", f"Task {i}", s, s + timedelta(minutes=50))
        for i, s in enumerate(_starts(count))
    ]


def _median_ms(call: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    n, runs = args.entries, args.runs
    readers = [
        ("read toggl", toggl_csv(n), read_toggl.read),
        ("read clockify", clockify_csv(n), read_clockify.read),
        ("read timew", timew_json(n), read_timew.read),
        ("read watson", watson_json(n), read_watson.read),
    ]
    for label, data, read in readers:
        parsed = read(data, tz=TZ)
        assert len(parsed.entries) == n, (label, parsed.problems[:3])
        ms = _median_ms(lambda read=read, data=data: read(data, tz=TZ), runs)
        print(
            f"{label:14} {n} rows, {len(data) / 1e6:.2f} MB: {ms:8.1f} ms "
            f"({ms * 1000 / n:.1f} µs a row)"
        )
    written = entries(n)
    for label, write in (("write timew", write_timew.write), ("write ics", write_ics.write)):
        ms = _median_ms(lambda write=write: write(written, tz=TZ), runs)
        print(f"{label:14} {n} entries: {ms:8.1f} ms ({ms * 1000 / n:.1f} µs an entry)")


if __name__ == "__main__":
    main()
