"""One refresh at a time per warehouse: an exclusive lock on `$RW_WAREHOUSE_DIR/refresh.lock`.

The lock is an `fcntl.flock` on the open file, so the operating system releases it when the holder exits, however
it exits (a `kill -9` included): a lock is never stale and nobody has to remove the file. The file holds the pid
and start time of the holder, for the message a second refresh prints.

The lock is re-entrant within one process: `cli.run` takes it before anything else, and the Dagster assets that
take it too (the load and the publication) then find it already held by their own process.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

LOCK_NAME = "refresh.lock"

_held: dict[Path, int] = {}  # lock file -> how many times this process entered it


class RefreshLocked(RuntimeError):
    """Another process holds the refresh lock of this warehouse."""


def lock_path(warehouse_dir: Path) -> Path:
    return warehouse_dir / LOCK_NAME


def holder(path: Path) -> str:
    """`pid N, started T` of the process that holds (or last held) the lock file, as it wrote them."""
    try:
        fields = dict(line.split(" ", 1) for line in path.read_text(encoding="utf-8").splitlines() if " " in line)
    except OSError:
        fields = {}
    return f"pid {fields.get('pid', '?')}, started {fields.get('started', '?')}"


def _written_holder(path: Path, attempts: int = 20) -> str:
    """The holder, waiting a moment for it to write its pid when it took the lock an instant ago."""
    for _ in range(attempts):
        found = holder(path)
        if "?" not in found:
            return found
        time.sleep(0.05)
    return found


@contextmanager
def refresh_lock(warehouse_dir: Path, *, wait: bool = False) -> Iterator[Path]:
    """Hold the warehouse's refresh lock for the block; raise RefreshLocked at once if another process holds it
    (or, with `wait`, block until it is released)."""
    path = lock_path(warehouse_dir).resolve()
    if _held.get(path):
        _held[path] += 1
        try:
            yield path
        finally:
            _held[path] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # never truncate before the lock is ours
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise RefreshLocked(f"another refresh ({_written_holder(path)}) holds this warehouse ({path})") from None
        os.ftruncate(fd, 0)
        started = datetime.now(UTC).isoformat(timespec="seconds")
        os.pwrite(fd, f"pid {os.getpid()}\nstarted {started}\n".encode(), 0)
        os.fsync(fd)
        _held[path] = 1
        try:
            yield path
        finally:
            del _held[path]
    finally:
        os.close(fd)  # closing the descriptor releases the flock
