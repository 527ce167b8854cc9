"""Import slow modules (pandas, numpy) in a thread while the first Notion requests are in flight.

A report spends most of its life waiting for Notion, and importing pandas and numpy costs
about 0.2 s of CPU. `start` begins those imports in a thread, which runs while the event loop
waits on the network; `finish` waits for them before the caller imports the same modules
itself (so two threads never import one module at once). A failed import is not reported
by the thread: the caller's own import raises it again, where it is handled.
"""

from __future__ import annotations

import importlib
import sys
import threading

__all__ = ["finish", "start"]

_lock = threading.Lock()
_loading: dict[str, threading.Thread] = {}


def start(*modules: str) -> None:
    """Begin importing ``modules`` in a thread (those not imported, nor being imported)."""
    with _lock:
        todo = [m for m in modules if m not in sys.modules and m not in _loading]
        if not todo:
            return
        # Not a daemon: a process ending early waits for the import rather than freezing
        # the thread halfway through a C extension's initialisation.
        thread = threading.Thread(target=_import_all, args=(todo,), name="background-imports")
        for module in todo:
            _loading[module] = thread
    thread.start()


def finish(*modules: str) -> None:
    """Wait until ``modules`` started by `start` are imported (or failed to)."""
    with _lock:
        threads = {_loading.pop(m) for m in modules if m in _loading}
    for thread in threads:
        thread.join()


def _import_all(modules: list[str]) -> None:
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception:  # the caller's own import raises it again
            continue
