"""Fault injection for the crash tests: kill this process at a named point.

``GIAMSAT_FAULT=pipeline:after-save`` (or ``name:N`` for the N-th time the point is reached,
several separated by commas) makes ``point(name)`` send SIGKILL to its own process - a crash
with no clean-up at all, exactly where the test wants it (tests/security/test_kill.py). Unset,
``point`` only reads the settings. It never affects another process.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

from giamsat.core.settings import Settings

_hits: Counter[str] = Counter()


def point(name: str) -> None:
    spec = Settings.from_env().fault
    if not spec:
        return
    for part in spec.split(","):
        # point names have a colon of their own ("pipeline:after-save"): a count is a last number
        want, _, nth = part.strip().rpartition(":")
        if not nth.isdigit():
            want, nth = part.strip(), "1"
        if want == name:
            _hits[name] += 1
            if _hits[name] >= int(nth):
                os.kill(os.getpid(), signal.SIGKILL)
