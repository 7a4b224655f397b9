"""The terminal edge: colour decisions and the phase line shown while a scan runs.

Progress goes to stderr only, and only when stderr is a terminal: a CI log or a pipe gets no
carriage returns. Colour follows ``--color/--no-color``, then ``FORCE_COLOR``, then ``NO_COLOR``,
then whether the stream is a terminal (https://no-color.org, https://force-color.org).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from typing import TextIO


def use_color(flag: bool | None, stream: TextIO | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour output written to ``stream`` (stderr by default)."""
    env = os.environ if environ is None else environ
    if flag is not None:
        return flag
    if env.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    if env.get("NO_COLOR", ""):
        return False
    target = stream if stream is not None else sys.stderr
    return bool(getattr(target, "isatty", lambda: False)())


class PhaseLine:
    """One self-overwriting status line (``… parsing``, ``… probing https://…``) on a terminal.

    A spinner with the current phase rather than a bar: the engine reports phases, not a known
    amount of work. Silent when the stream is not a terminal.
    """

    _FRAMES = "|/-\\"

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._live = bool(getattr(self._stream, "isatty", lambda: False)())
        self._frame = 0
        self._started = time.monotonic()
        self._shown = False

    def __call__(self, message: str) -> None:
        """Show the current phase (the engine's progress callback)."""
        if not self._live:
            return
        from reports.common import one_line

        self._frame = (self._frame + 1) % len(self._FRAMES)
        elapsed = time.monotonic() - self._started
        text = one_line(message)[:100]
        self._stream.write(f"\r\033[K{self._FRAMES[self._frame]} {text} ({elapsed:.1f}s)")
        self._stream.flush()
        self._shown = True

    def clear(self) -> None:
        """Remove the status line before the summary is printed."""
        if self._live and self._shown:
            self._stream.write("\r\033[K")
            self._stream.flush()
            self._shown = False
