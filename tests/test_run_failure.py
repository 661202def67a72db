"""The run's own summary names why it failed: the innermost error, or a full device
(retention_warehouse/run_failure.py)."""

from __future__ import annotations

import errno
import sqlite3

import cli.run
from retention_warehouse.run_failure import error_chain, failure_cause


def _chained() -> Exception:
    try:
        try:
            raise ValueError("order_time = tomorrow")
        except ValueError as inner:
            raise RuntimeError("the load step failed") from inner
    except RuntimeError as outer:
        return outer


def test_the_cause_is_the_innermost_error(tmp_path):
    assert error_chain(_chained()) == ["RuntimeError: the load step failed", "ValueError: order_time = tomorrow"]
    assert failure_cause([_chained()], [tmp_path]) == "ValueError: order_time = tomorrow"


def test_a_full_disk_is_named_by_the_folder_on_it_whatever_error_it_gave(tmp_path):
    for error in (
        OSError(errno.ENOSPC, "No space left on device"),
        sqlite3.OperationalError("database or disk is full"),
    ):
        cause = failure_cause([error], [tmp_path / "wh" / "work"])  # not created yet: its nearest folder is measured
        assert cause.startswith(f"no space left on the device holding {tmp_path / 'wh' / 'work'} (mounted at /")


def test_the_command_summarises_a_failure_outside_the_dagster_steps(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RW_WAREHOUSE_DIR", str(tmp_path / "wh"))
    monkeypatch.setenv("RW_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)

    def refresh(*args):
        raise sqlite3.OperationalError("database or disk is full")  # as Dagster's event log says it

    monkeypatch.setattr(cli.run, "_refresh", refresh)
    assert cli.run.main([]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("The refresh FAILED after ") and ": no space left on the device holding " in lines[0]
    assert str(tmp_path / "wh") in lines[0]
    assert lines[1] == f"Nothing is published yet ({tmp_path / 'wh' / 'published'})."
