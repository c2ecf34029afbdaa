"""A wall-clock limit on a block of CPU-bound code (one item's NLP), with ``SIGALRM``.

Why a signal: the slow steps are pure Python or C extensions called from Python, so a thread
cannot stop them, and a process per item would cost more than the work. The alarm interrupts the
block at the next bytecode and raises ``TimeLimitExceeded``, a ``BaseException`` so that the
``except Exception`` of optional steps (entities) cannot swallow it.

Signals reach only the main thread: elsewhere (a dashboard thread) the block runs without a
limit, which is why the text is also capped (``core.model.MAX_NLP_CHARS``).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class TimeLimitExceeded(BaseException):  # not Exception: optional steps catch those
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"quá thời gian phân tích ({seconds:g} giây)")


def can_limit() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ``TimeLimitExceeded`` in the block after ``seconds`` (no limit when None/0 or when
    not on the main thread)."""
    if not seconds or seconds <= 0 or not can_limit():
        yield
        return

    def _expired(signum: int, frame: object) -> None:
        raise TimeLimitExceeded(seconds)

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
