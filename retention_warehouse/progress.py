"""The short view of a refresh on the terminal: one line per step with its time and figures, and a bar while a step
works through many items (landing files, dbt nodes).

`python -m cli.run` attaches the terminal here and sends everything else (Dagster's and dbt's logs) to the run's
log file. Nothing is attached in the Dagster UI or in tests, and then every call does nothing.
"""

from __future__ import annotations

import time
from typing import TextIO

_terminal: TextIO | None = None
_bar_shown = False
_last_bar = 0.0
BAR_WIDTH = 28


def attach(stream: TextIO | None) -> None:
    global _terminal
    _terminal = stream


def _write(text: str) -> None:
    if _terminal is not None:
        _terminal.write(text)
        _terminal.flush()


def _clear_bar() -> None:
    global _bar_shown
    if _bar_shown:
        _write("\r\033[K")
        _bar_shown = False


def step(name: str, seconds: float, detail: str = "") -> None:
    """One finished step: `  load             3.1 s  125 files, ...`."""
    _clear_bar()
    _write(f"  {name:<13}{seconds:7.1f} s  {detail}".rstrip() + "\n")


def bar(name: str, done: int, total: int) -> None:
    """A bar redrawn in place, on a terminal only (a log or a pipe gets the step's line alone), at most 10 times a
    second."""
    global _bar_shown, _last_bar
    if _terminal is None or not _terminal.isatty() or total <= 0:
        return
    now = time.monotonic()
    if done < total and now - _last_bar < 0.1:
        return
    _last_bar = now
    filled = round(BAR_WIDTH * min(done, total) / total)
    _write(f"\r\033[K  {name:<13}[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done:,}/{total:,}")
    _bar_shown = True


class Timer:
    """Seconds since it was made: `timer = Timer(); ...; progress.step("load", timer.seconds, ...)`."""

    def __init__(self) -> None:
        self.began = time.monotonic()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.began


def note(text: str) -> None:
    """Something the reader should know about this run that is not a step: `  ! text`."""
    _clear_bar()
    _write(f"  ! {text}\n")
