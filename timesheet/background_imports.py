"""Import slow modules (pandas, numpy) in a thread while the first Notion requests are in flight.

A report spends most of its life waiting for Notion, and importing pandas and numpy costs
about 0.2 s of CPU. `start`, called by the thread running the event loop, begins those imports
in another thread as soon as that loop waits on the network (before it, the two would share
the GIL and the first request would leave later); `finish` waits for them before the caller
imports the same modules itself (so two threads never import one module at once). A failed
import is not reported by the thread: the caller's own import raises it again.
"""

from __future__ import annotations

import importlib
import sys
import threading
import time
from typing import Final

__all__ = ["finish", "start"]

#: How long the imports wait for the loop to wait on the network before going ahead anyway.
MAX_WAIT: Final = 0.25
#: How often the loop's thread is looked at meanwhile.
_LOOK_EVERY: Final = 0.001

_lock = threading.Lock()
_loading: dict[str, threading.Thread] = {}


def start(*modules: str) -> None:
    """Begin importing ``modules`` (those not imported, nor being imported) in a thread, once
    the calling thread blocks in its event loop's selector."""
    with _lock:
        todo = [m for m in modules if m not in sys.modules and m not in _loading]
        if not todo:
            return
        # Not a daemon: a process ending early waits for the import rather than freezing
        # the thread halfway through a C extension's initialisation.
        thread = threading.Thread(
            target=_import_all,
            args=(todo, threading.get_ident()),
            name="background-imports",
        )
        for module in todo:
            _loading[module] = thread
    thread.start()


def finish(*modules: str) -> None:
    """Wait until ``modules`` started by `start` are imported (or failed to)."""
    with _lock:
        threads = {_loading.pop(m) for m in modules if m in _loading}
    for thread in threads:
        thread.join()


def _import_all(modules: list[str], loop_thread: int) -> None:
    _wait_until_waiting(loop_thread)
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception:  # the caller's own import raises it again
            continue


def _wait_until_waiting(thread_id: int) -> None:
    """Return when thread ``thread_id`` is seen twice in a row blocked in a selector (its
    event loop has nothing to do but wait for the network), or after `MAX_WAIT`.

    ``sys._current_frames`` is the documented way to see where another thread is; a thread
    that runs no event loop is never seen there, and the imports start after `MAX_WAIT`."""
    deadline = time.monotonic() + MAX_WAIT
    seen = 0
    while seen < 2 and time.monotonic() < deadline:
        frame = sys._current_frames().get(thread_id)
        waiting = frame is not None and frame.f_code.co_filename.endswith("selectors.py")
        seen = seen + 1 if waiting else 0
        time.sleep(_LOOK_EVERY)
