"""``python -m benchmarks.fault_soak``: run the soak and print its figures."""

from __future__ import annotations

import sys

from . import main

sys.exit(main())
