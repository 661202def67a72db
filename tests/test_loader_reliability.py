"""The loader accounts for every file, reads file names and JSON keys as data, and a bad delivery stops the run."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from retention_warehouse.ingestion import FileLoad, load_landing, load_problems
from tests.loads import audit_counts

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
EVENT = {"user_id": "u1", "event_name": "like", "event_time": "2026-05-01T10:00:00Z"}


@pytest.fixture
def conn():
    with duckdb.connect() as connection:
        yield connection


def _event(event_id: str, **extra) -> dict:
    return {"event_id": event_id, **EVENT, **extra}


def _jsonl(*objects: dict) -> bytes:
    return "".join(json.dumps(o) + "\n" for o in objects).encode("utf-8")


def _plant(root: Path, files: dict[str, bytes]) -> None:
    for relative, content in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(content)


def _quarantine(conn) -> list[tuple]:
    rows = conn.execute("select source_file, row_number, reason_code, reason_detail from raw.raw_quarantine").fetchall()
    return sorted((Path(f).name, n, code, detail) for f, n, code, detail in rows)


def test_compressed_json_lines_load_and_an_unknown_file_type_is_quarantined_by_name(tmp_path, conn):
    _plant(
        tmp_path,
        {
            "events/amplitude_2026-05-01.json.gz": gzip.compress(_jsonl(_event("e1"), _event("e2"))),
            "events/b.ndjson.gz": gzip.compress(_jsonl(_event("e3"))),
            "events/c.jsonl.gz": gzip.compress(_jsonl(_event("e4"))),
            "events/d.csv.gz": gzip.compress(b"event_id,user_id,event_name,event_time\ne5,u1,like,2026-05-01\n"),
            "events/export.xlsx": b"PK\x03\x04 a spreadsheet",
            "events/sub/notes.txt": b"sent by the vendor",
            "events/README": b"no suffix at all",
            "events/.DS_Store": b"hidden files are not data",
        },
    )
    loads = load_landing(conn, tmp_path, now=NOW)
    assert len(loads) == 7
    assert audit_counts(conn) == {
        "amplitude_2026-05-01.json.gz": (2, 2, 0, 0, "loaded"),
        "b.ndjson.gz": (1, 1, 0, 0, "loaded"),
        "c.jsonl.gz": (1, 1, 0, 0, "loaded"),
        "d.csv.gz": (1, 1, 0, 0, "loaded"),
        "export.xlsx": (0, 0, 0, 0, "quarantined"),
        "notes.txt": (0, 0, 0, 0, "quarantined"),
        "README": (0, 0, 0, 0, "quarantined"),
    }
    quarantine = _quarantine(conn)
    assert [(f, n, code) for f, n, code, _ in quarantine] == [
        ("README", None, "unsupported_file_type"),
        ("export.xlsx", None, "unsupported_file_type"),
        ("notes.txt", None, "unsupported_file_type"),
    ]
    assert all(detail.startswith(f"{name}: ") for name, _, _, detail in quarantine)
    assert conn.execute("select count(*) from raw.events").fetchone()[0] == 5


def test_the_sample_is_generated_only_into_a_landing_folder_without_any_file(tmp_path):
    from cli.run import sample_needed

    landing = tmp_path / "landing"
    assert sample_needed(landing, salt_is_set=False)  # no folder yet
    landing.mkdir()
    (landing / "events").mkdir()
    assert sample_needed(landing, salt_is_set=False)  # folders, but no file
    (landing / "events" / "export.json.gz").write_bytes(gzip.compress(_jsonl(_event("e1"))))
    assert not sample_needed(landing, salt_is_set=False)
    assert not sample_needed(landing, salt_is_set=True)


def test_no_sample_is_generated_when_a_salt_is_set(tmp_path):
    from cli.run import sample_needed

    with pytest.raises(SystemExit) as stopped:
        sample_needed(tmp_path / "landing", salt_is_set=True)
    assert "has no data" in str(stopped.value) and str(tmp_path / "landing") in str(stopped.value)
    assert not (tmp_path / "landing").exists()


def test_the_command_generates_the_sample_into_an_empty_landing_folder_with_the_default_salt(workspace, monkeypatch):
    # the command exports the resolved settings (the default salt included) for dbt: that must not count as a salt
    import cli.run

    class SampleWritten(BaseException):  # not an error the command summarises: it stops the test
        pass

    def write_landing(spec, landing_dir):
        raise SampleWritten(landing_dir)

    monkeypatch.delenv("RW_ID_SALT", raising=False)
    monkeypatch.setattr(cli.run, "write_landing", write_landing)
    with pytest.raises(SampleWritten):
        cli.run.main([])
    monkeypatch.setenv("RW_ID_SALT", "pepper")
    with pytest.raises(SystemExit, match="has no data"):
        cli.run.main([])


def test_json_keys_are_read_as_data_whatever_their_spelling(tmp_path, conn):
    odd = {"$insert_id": "i-1", "*": "star", "a.b": "dot", "[0]": "bracket", 'say "hi"': "quote", "back\\slash": "bs"}
    odd |= {"": "empty", "$": "dollar", "nested": {"$k": [1, 2]}}
    _plant(tmp_path, {"events/amplitude.jsonl": _jsonl(_event("e1", **odd), _event("e2", **{"$insert_id": "i-2"}))})
    [load] = load_landing(conn, tmp_path, now=NOW)
    assert (load.rows_read, load.rows_accepted, load.file_error) == (2, 2, None)
    rows = conn.execute("select event_id, extra_attributes from raw.events order by 1").fetchall()
    first, second = (json.loads(extra) for _, extra in rows)
    assert first == {key: json.dumps(v, separators=(",", ":")) if isinstance(v, dict) else v for key, v in odd.items()}
    assert second == {"$insert_id": "i-2", **{key: None for key in odd if key != "$insert_id"}}


def test_a_file_duckdb_fails_on_is_quarantined_whole_by_name_and_the_run_goes_on(tmp_path, conn):
    # a key that collides with the loader's own row number column: whatever the cause, the file is set aside
    _plant(
        tmp_path,
        {
            "events/a.jsonl": _jsonl(_event("e1", __row_number="7")),
            "events/b.jsonl": _jsonl(_event("e2")),
        },
    )
    loads = load_landing(conn, tmp_path, now=NOW)
    assert [(Path(x.source_file).name, x.file_error is not None) for x in loads] == [
        ("a.jsonl", True),
        ("b.jsonl", False),
    ]
    assert audit_counts(conn) == {"a.jsonl": (0, 0, 0, 0, "quarantined"), "b.jsonl": (1, 1, 0, 0, "loaded")}
    [(name, number, code, detail)] = _quarantine(conn)
    assert (name, number, code) == ("a.jsonl", None, "unreadable_file") and detail.startswith("a.jsonl: ")
    assert conn.execute("select event_id from raw.events").fetchall() == [("e2",)]


WEIRD_NAMES = ["e?.csv", "e[1].csv", "-dash.csv", "it's a file.csv", "back\\slash.csv", "{a,b}.csv", "**.csv"]


def test_a_file_name_is_read_as_exactly_that_file_never_as_a_glob(tmp_path, conn):
    events = tmp_path / "events"
    events.mkdir()
    for name, event_id in [("events_*.parquet", "star"), ("events_a.parquet", "a"), ("events_b.parquet", "b")]:
        pq.write_table(pa.table({k: [v] for k, v in _event(event_id).items()}), events / name)
    header = "event_id,user_id,event_name,event_time\n"
    for index, name in enumerate([*WEIRD_NAMES, "e1.csv", "ex.csv"]):
        (events / name).write_text(header + f"c{index},u1,like,2026-05-01\n", encoding="utf-8")
    loads = load_landing(conn, tmp_path, now=NOW)
    assert {Path(x.source_file).name: (x.rows_read, x.rows_accepted, x.file_error) for x in loads} == {
        name: (1, 1, None) for name in ["events_*.parquet", "events_a.parquet", "events_b.parquet", *WEIRD_NAMES]
    } | {"e1.csv": (1, 1, None), "ex.csv": (1, 1, None)}
    by_file = dict(conn.execute("select _source_file, string_agg(event_id, ',') from raw.events group by 1").fetchall())
    assert by_file[str(events / "events_*.parquet")] == "star"
    assert by_file[str(events / "e?.csv")] == "c0" and by_file[str(events / "e[1].csv")] == "c1"
    assert conn.execute("select count(*) from raw.events").fetchone()[0] == 12


def _load(feed, name, read=0, accepted=0, quarantined=0, duplicate=0, error=None, reasons=None, skipped=False):
    return FileLoad(
        feed=feed,
        source_file=f"/landing/{feed}/{name}",
        file_sha256="0" * 64,
        rows_read=read,
        rows_accepted=accepted,
        rows_quarantined=quarantined,
        rows_duplicate=duplicate,
        skipped=skipped,
        file_error=error,
        reasons=reasons or {},
    )


def test_a_run_that_accepted_nothing_or_quarantined_too_much_fails_naming_files_and_reasons():
    fine = [
        _load("events", "a.csv", read=10, accepted=6, quarantined=4, reasons={"invalid_timestamp": 4}),
        _load("orders", "redelivery.csv", read=5, duplicate=5),  # nothing new, nothing bad: not a failure
        _load("users", "old.csv", skipped=True),  # already loaded in an earlier run
    ]
    assert load_problems(fine, 0.5) == []
    amplitude = _load(
        "events", "export.json.gz", error="unsupported_file_type: ...", reasons={"unsupported_file_type": 1}
    )
    [problem] = load_problems([amplitude], 0.5)
    assert problem.startswith("events: 1 new file(s) and no row accepted")
    assert "export.json.gz" in problem and "unsupported_file_type 1" in problem
    mostly_bad = [
        _load("orders", "ok.csv", read=10, accepted=10),
        _load(
            "orders",
            "bad.csv",
            read=30,
            accepted=5,
            quarantined=25,
            reasons={"invalid_number": 20, "negative_amount": 5},
        ),
    ]
    [problem] = load_problems(mostly_bad, 0.5)
    assert problem.startswith("orders: 25 of 40 rows quarantined (62%")
    assert "files: bad.csv;" in problem and "invalid_number 20, negative_amount 5" in problem
    assert load_problems(mostly_bad, 0.7) == []
    assert load_problems([_load("orders", "ok.csv", read=10, accepted=5, quarantined=5)], 0.5) == []  # at the limit


def test_the_quarantine_reasons_of_a_file_are_counted(tmp_path, conn):
    _plant(
        tmp_path, {"events/a.jsonl": _jsonl(_event("e1"), _event("e2", event_time="soon"), _event("e3", user_id=""))}
    )
    [load] = load_landing(conn, tmp_path, now=NOW)
    assert load.reasons == {"invalid_timestamp": 1, "missing_required_value": 1}
    assert load_problems([load], 0.7) == [] and load_problems([load], 0.5)[0].startswith("events: 2 of 3 rows")


def test_a_feed_of_redeliveries_only_goes_on_but_not_when_a_file_was_also_set_aside():
    redelivery = _load("orders", "again.csv", read=5, duplicate=5)
    assert load_problems([redelivery], 0.5) == []
    mixed = _load("orders", "part.csv", read=5, duplicate=3, quarantined=2, reasons={"invalid_number": 2})
    assert load_problems([mixed], 0.5)[0].startswith("orders: 1 new file(s) and no row accepted")
    broken = _load("orders", "broken.parquet", error="unreadable_file: ...", reasons={"unreadable_file": 1})
    [problem] = load_problems([redelivery, broken], 0.5)
    assert problem.startswith("orders: 2 new file(s) and no row accepted") and "files: broken.parquet;" in problem


def test_the_ingestion_step_fails_and_nothing_downstream_runs(tmp_path, monkeypatch):
    from dagster import AssetIn, asset, materialize

    from orchestration.assets.ingestion import raw_landing_files
    from orchestration.translator import raw_table_key

    ran = []

    @asset(ins={"events": AssetIn(key=raw_table_key("events"))})
    def downstream(events) -> None:
        ran.append(events)

    _plant(tmp_path / "landing", {"events/amplitude.json.zip": b"PK\x03\x04"})
    monkeypatch.setenv("RW_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("RW_WAREHOUSE_DIR", str(tmp_path / "wh"))
    monkeypatch.delenv("RW_DUCKDB_PATH", raising=False)
    result = materialize([raw_landing_files, downstream], raise_on_error=False)
    assert not result.success and ran == []
    [failure] = [e for e in result.all_events if e.is_step_failure]
    message = failure.step_failure_data.error.message + str(failure.step_failure_data.user_failure_data)
    assert "amplitude.json.zip" in message and "unsupported_file_type 1" in message
