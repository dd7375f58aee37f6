"""Stage lines for long operations: shown on a terminal, silent in pipes, logs and with --quiet."""
from __future__ import annotations

import sys
import time


class Progress:
    """Call ``progress("loading", 1_000_000)`` at each stage; prints ``[  1.2s] loading: 1,000,000``."""

    def __init__(self, enabled: bool = False, stream=None):
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.start = time.perf_counter()

    def __call__(self, stage: str, count: int | None = None, unit: str = ""):
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.start
        amount = f": {count:,}{(' ' + unit) if unit else ''}" if count is not None else ""
        print(f"[{elapsed:6.1f}s] {stage}{amount}", file=self.stream, flush=True)


SILENT = Progress(False)


def for_terminal(quiet: bool = False) -> Progress:
    """Enabled only when stderr is a terminal and the user did not ask for quiet."""
    stream = sys.stderr
    return Progress(enabled=not quiet and hasattr(stream, "isatty") and stream.isatty(), stream=stream)
