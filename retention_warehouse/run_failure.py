"""Why a run failed, as one line for the run's own summary: the innermost error, or the full device named.

A full disk surfaces as many different errors depending on who wrote last: `[Errno 28] No space left on device`
from Python or DuckDB, sqlite's "database or disk is full" or "disk I/O error" from Dagster's event log (kept under
the warehouse folder unless DAGSTER_HOME is set), DuckDB's "could not write", or only dbt's exit code. So a failure
is named as a full disk when its messages say so or when a device the run writes to has almost no room left: no
space left on the device holding the folder that is fullest among those the run writes to.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

DISK_FULL_MARKERS = ("no space left on device", "database or disk is full", "errno 28", "disk is full")
LOW_SPACE_BYTES = 16 * 2**20  # a device with less room than this is taken as the cause of a failed run


def error_chain(error: object) -> list[str]:
    """The messages of an exception or a Dagster SerializableErrorInfo and of its causes, outermost first."""
    messages, seen = [], set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, BaseException):
            messages.append(f"{type(error).__name__}: {error}")
            error = error.__cause__ or error.__context__
        else:  # SerializableErrorInfo
            messages.append(str(getattr(error, "message", error)))
            error = getattr(error, "cause", None) or getattr(error, "context", None)
    return [m.strip() for m in messages if m and m.strip()]


def _mount_point(path: Path) -> Path:
    path = path.resolve()
    device = path.stat().st_dev
    while path.parent != path and path.parent.stat().st_dev == device:
        path = path.parent
    return path


def _existing(folder: Path) -> Path:
    folder = Path(folder).absolute()
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return folder


def full_device(messages: Iterable[str], folders: Iterable[Path]) -> str | None:
    """`no space left on the device holding <folder> ...` when the messages say a write failed for want of space
    or a device among the folders' has almost no room left; else None."""
    text = " ".join(messages).lower()
    usage = {}
    for folder in folders:
        existing = _existing(folder)
        try:
            usage[Path(folder)] = (existing, shutil.disk_usage(existing))
        except OSError:
            continue
    if not usage:
        return None
    folder, (existing, disk) = min(usage.items(), key=lambda item: item[1][1].free)
    if disk.free >= LOW_SPACE_BYTES and not any(marker in text for marker in DISK_FULL_MARKERS):
        return None
    return (
        f"no space left on the device holding {folder} (mounted at {_mount_point(existing)}, "
        f"{disk.free / 2**20:.1f} MiB free of {disk.total / 2**20:.1f} MiB); free some space and run again"
    )


def failure_cause(errors: Iterable[object], folders: Iterable[Path]) -> str:
    """One line naming why a run failed: a full device, else the innermost message of the first error."""
    chains = [error_chain(error) for error in errors]
    messages = [message for chain in chains for message in chain]
    cause = full_device(messages, folders)
    if cause:
        return cause
    first = next((chain for chain in chains if chain), None)
    if not first:
        return "unknown (see the run's log)"
    return first[-1].splitlines()[0][:500]


def written_folders(warehouse_dir: Path, dagster_home: Path) -> list[Path]:
    """The folders a run writes to: the warehouse (working file, publication), Dagster's storage, temporary files."""
    return [Path(warehouse_dir), Path(dagster_home), Path(tempfile.gettempdir())]
