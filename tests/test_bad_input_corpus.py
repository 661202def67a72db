"""The bad-input corpus: every kind of broken delivery, one test each (docs/data_contract.md).

Each case plants a few files in a fresh landing folder and states, worked out by hand:
  - the audit row of every file: (rows_read, rows_accepted, rows_quarantined, rows_duplicate, file_status);
  - every quarantine row: (file, row_number, reason_code), row_number NULL for a whole-file reason;
  - the rows that must be in the raw table afterwards (the good rows of the same file, or of a sibling file
    when the whole file is set aside), with the value that shows they were read correctly.
Row numbers count data records from 1 (the header and blank lines are not records; a quoted newline does not
start a new record). Load time NOW = 2026-06-01 12:00 UTC, so the future limit is 2026-06-02 12:00 UTC.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from retention_warehouse.contract import MAX_FIELD_CHARS
from retention_warehouse.ingestion import load_landing

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
EVENTS = "event_id,user_id,event_name,event_time\n"
ORDERS = "order_id,user_id,order_time,amount,status\n"
SURVEYS = "response_id,user_id,response_time,score\n"
OK_EVENTS = EVENTS + "ok1,u9,app_open,2026-05-01T00:00:00Z\n"  # a good sibling file for whole-file cases
OK_EVENT_ROW = ("ok1", "2026-05-01 00:00:00")

ACCEPTED_SQL = {
    "events": "select event_id, cast(event_at as varchar) from raw.events order by 1",
    "orders": "select order_id, cast(amount as varchar) from raw.orders order by 1",
    "surveys": "select response_id, score from raw.surveys order by 1",
    "marketing_spend": "select channel, cast(spend_date as varchar) from raw.marketing_spend order by 1",
    "subscriptions": "select subscription_id, cast(period_start_at as varchar) from raw.subscriptions order by 1",
}


@dataclass
class Case:
    kind: str
    files: dict[str, bytes]
    audit: dict[str, tuple[int, int, int, int, str]]
    quarantine: list[tuple[str, int | None, str]]
    accepted: dict[str, list[tuple]] = field(default_factory=dict)


def _parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def _b(text: str) -> bytes:
    return text.encode("utf-8")


LONG = "x" * 3_000_000  # longer than DuckDB's 2 MB line limit: only the careful reader can parse it
CASES = [
    Case(
        "missing_required_column",
        {
            "events/no_time.csv": _b("event_id,user_id,event_name\ne1,u1,like\ne2,u2,like\n"),
            "events/ok.csv": _b(OK_EVENTS),
        },
        {"no_time.csv": (2, 0, 2, 0, "quarantined"), "ok.csv": (1, 1, 0, 0, "loaded")},
        [("no_time.csv", 1, "missing_required_column"), ("no_time.csv", 2, "missing_required_column")],
        {"events": [OK_EVENT_ROW]},
    ),
    Case(
        "empty_file",
        {"events/empty.csv": b"", "events/ok.csv": _b(OK_EVENTS)},
        {"empty.csv": (0, 0, 0, 0, "quarantined"), "ok.csv": (1, 1, 0, 0, "loaded")},
        [("empty.csv", None, "empty_file")],
        {"events": [OK_EVENT_ROW]},
    ),
    Case(
        "empty_jsonl_gz",
        {"events/empty.jsonl.gz": gzip.compress(b""), "events/ok.csv": _b(OK_EVENTS)},
        {"empty.jsonl.gz": (0, 0, 0, 0, "quarantined"), "ok.csv": (1, 1, 0, 0, "loaded")},
        [("empty.jsonl.gz", None, "empty_file")],
        {"events": [OK_EVENT_ROW]},
    ),
    Case(
        "header_only",
        {"events/header.csv": _b(EVENTS), "events/ok.csv": _b(OK_EVENTS)},
        {"header.csv": (0, 0, 0, 0, "quarantined"), "ok.csv": (1, 1, 0, 0, "loaded")},
        [("header.csv", None, "empty_file")],
        {"events": [OK_EVENT_ROW]},
    ),
    Case(
        "bad_timestamp",
        {"events/a.csv": _b(EVENTS + "e1,u1,like,2026-05-01T10:00:00Z\ne2,u1,like,yesterday\n")},
        {"a.csv": (2, 1, 1, 0, "loaded")},
        [("a.csv", 2, "invalid_timestamp")],
        {"events": [("e1", "2026-05-01 10:00:00")]},
    ),
    Case(
        "far_future_timestamp",
        # 2026-06-02T11:00Z is inside the 24 h tolerance; 2026-06-02T13:00Z is one hour past it
        {"events/a.csv": _b(EVENTS + "e1,u1,like,2026-06-02T11:00:00Z\ne2,u1,like,2026-06-02T13:00:00Z\n")},
        {"a.csv": (2, 1, 1, 0, "loaded")},
        [("a.csv", 2, "future_timestamp")],
        {"events": [("e1", "2026-06-02 11:00:00")]},
    ),
    Case(
        "naive_timestamp_is_utc",
        {"events/a.csv": _b(EVENTS + "e1,u1,like,2026-05-01 10:00:00\ne2,u1,like,2026-05-01T10:00:00\n")},
        {"a.csv": (2, 2, 0, 0, "loaded")},
        [],
        {"events": [("e1", "2026-05-01 10:00:00"), ("e2", "2026-05-01 10:00:00")]},
    ),
    Case(
        "epoch_milliseconds_and_offsets",
        # 1777629600000 ms = 2026-05-01T10:00:00Z; 18:00+08:00 is 10:00Z too; 1777629600 (seconds) is not ms
        {
            "events/a.csv": _b(
                EVENTS + "e1,u1,like,1777629600000\ne2,u1,like,2026-05-01T18:00:00+08:00\ne3,u1,like,1777629600\n"
            )
        },
        {"a.csv": (3, 2, 1, 0, "loaded")},
        [("a.csv", 3, "invalid_timestamp")],
        {"events": [("e1", "2026-05-01 10:00:00"), ("e2", "2026-05-01 10:00:00")]},
    ),
    Case(
        "negative_amount",
        {"orders/a.csv": _b(ORDERS + "o1,u1,2026-05-01T10:00:00Z,0,paid\no2,u1,2026-05-01T10:00:00Z,-0.01,paid\n")},
        {"a.csv": (2, 1, 1, 0, "loaded")},
        [("a.csv", 2, "negative_amount")],
        {"orders": [("o1", "0.00")]},
    ),
    Case(
        "non_numeric_amount",
        {"orders/a.csv": _b(ORDERS + "o1,u1,2026-05-01T10:00:00Z,12.5,paid\no2,u1,2026-05-01T10:00:00Z,12,5,paid\n")},
        # o2 has one field too many (an unquoted decimal comma): a malformed record, not a bad amount
        {"a.csv": (2, 1, 1, 0, "loaded")},
        [("a.csv", 2, "malformed_csv_row")],
        {"orders": [("o1", "12.50")]},
    ),
    Case(
        "non_numeric_amount_value",
        {"orders/a.csv": _b(ORDERS + "o1,u1,2026-05-01T10:00:00Z,12.5,paid\no2,u1,2026-05-01T10:00:00Z,¥12,paid\n")},
        {"a.csv": (2, 1, 1, 0, "loaded")},
        [("a.csv", 2, "invalid_number")],
        {"orders": [("o1", "12.50")]},
    ),
    Case(
        "unknown_order_status",
        {"orders/a.csv": _b(ORDERS + "o1,u1,2026-05-01T10:00:00Z,1,REFUNDED\no2,u1,2026-05-01T10:00:00Z,1,shipped\n")},
        {"a.csv": (2, 1, 1, 0, "loaded")},
        [("a.csv", 2, "unknown_status")],
        {"orders": [("o1", "1.00")]},
    ),
    Case(
        "nps_score_11",
        {"surveys/a.csv": _b(SURVEYS + "r1,u1,2026-05-01T10:00:00Z,10\nr2,u1,2026-05-01T10:00:00Z,11\n")},
        {"a.csv": (2, 1, 1, 0, "loaded")},
        [("a.csv", 2, "score_out_of_range")],
        {"surveys": [("r1", 10)]},
    ),
    Case(
        "nps_score_7_5",
        {"surveys/a.csv": _b(SURVEYS + "r1,u1,2026-05-01T10:00:00Z,0\nr2,u1,2026-05-01T10:00:00Z,7.5\n")},
        {"a.csv": (2, 1, 1, 0, "loaded")},
        [("a.csv", 2, "invalid_integer")],
        {"surveys": [("r1", 0)]},
    ),
    Case(
        "duplicate_id_within_a_file",
        {"events/a.csv": _b(EVENTS + "e1,u1,like,2026-05-01T10:00:00Z\ne1,u1,like,2026-05-01T11:00:00Z\n")},
        {"a.csv": (2, 1, 0, 1, "loaded")},
        [],
        {"events": [("e1", "2026-05-01 10:00:00")]},  # the first delivery wins
    ),
    Case(
        "duplicate_id_across_files",
        {
            "events/1.csv": _b(EVENTS + "e1,u1,like,2026-05-01T10:00:00Z\n"),
            "events/2.jsonl": _b(
                '{"event_id":"e1","user_id":"u1","event_name":"like","event_time":"2026-05-01T10:00:00Z"}\n'
                '{"event_id":"e2","user_id":"u1","event_name":"like","event_time":"2026-05-01T12:00:00Z"}\n'
            ),
        },
        {"1.csv": (1, 1, 0, 0, "loaded"), "2.jsonl": (2, 1, 0, 1, "loaded")},
        [],
        {"events": [("e1", "2026-05-01 10:00:00"), ("e2", "2026-05-01 12:00:00")]},
    ),
    Case(
        "empty_user_id",
        {"events/a.csv": _b(EVENTS + "e1,u1,like,2026-05-01T10:00:00Z\ne2,  ,like,2026-05-01T10:00:00Z\n")},
        {"a.csv": (2, 1, 1, 0, "loaded")},
        [("a.csv", 2, "missing_required_value")],
        {"events": [("e1", "2026-05-01 10:00:00")]},
    ),
    Case(
        "properties_not_a_json_object",
        {
            "events/a.csv": _b(
                "event_id,user_id,event_name,event_time,properties\n"
                'e1,u1,like,2026-05-01T10:00:00Z,"{""sku"": ""x1""}"\n'
                'e2,u1,like,2026-05-01T10:00:00Z,"[1, 2]"\n'
                "e3,u1,like,2026-05-01T10:00:00Z,{not json\n"
            )
        },
        {"a.csv": (3, 1, 2, 0, "loaded")},
        [("a.csv", 2, "invalid_json_object"), ("a.csv", 3, "invalid_json_object")],
        {"events": [("e1", "2026-05-01 10:00:00")]},
    ),
    Case(
        "truncated_json_line",
        {
            "events/a.jsonl": _b(
                '{"event_id":"e1","user_id":"u1","event_name":"like","event_time":"2026-05-01T10:00:00Z"}\n'
                '{"event_id":"e2","user_id":"u1","event_na\n'
                "\n"
                '{"event_id":"e3","user_id":"u1","event_name":"like","event_time":"2026-05-01T11:00:00Z"}\n'
                "[1, 2]\n"
            )
        },
        {"a.jsonl": (4, 2, 2, 0, "loaded")},  # the blank line is not a record
        [("a.jsonl", 2, "malformed_json_line"), ("a.jsonl", 4, "malformed_json_line")],
        {"events": [("e1", "2026-05-01 10:00:00"), ("e3", "2026-05-01 11:00:00")]},
    ),
    Case(
        "truncated_json_line_in_gzip",
        {
            "events/a.jsonl.gz": gzip.compress(
                b'{"event_id":"e1","user_id":"u1","event_name":"like","event_time":"2026-05-01T10:00:00Z"}\n'
                b'{"event_id":"e2","user_id":"u1","event_time":"2026-05-01T1'
            )
        },
        {"a.jsonl.gz": (2, 1, 1, 0, "loaded")},
        [("a.jsonl.gz", 2, "malformed_json_line")],
        {"events": [("e1", "2026-05-01 10:00:00")]},
    ),
    Case(
        "invalid_utf8_in_a_row",
        {
            "events/a.csv": _b(EVENTS + "e1,u1,like,2026-05-01T10:00:00Z\n")
            + b"e2,u\xff\xfe1,like,2026-05-01T10:00:00Z\n"
            + _b("e3,用户3,like,2026-05-01T11:00:00Z\n")
        },
        {"a.csv": (3, 2, 1, 0, "loaded")},
        [("a.csv", 2, "invalid_encoding")],
        {"events": [("e1", "2026-05-01 10:00:00"), ("e3", "2026-05-01 11:00:00")]},
    ),
    Case(
        "invalid_utf8_in_a_json_line",
        {
            "events/a.jsonl": b'{"event_id":"e1","user_id":"u1","event_name":"like","event_time":"2026-05-01"}\n'
            b'{"event_id":"e2","user_id":"\xe9","event_name":"like","event_time":"2026-05-01"}\n'
        },
        {"a.jsonl": (2, 1, 1, 0, "loaded")},
        [("a.jsonl", 2, "invalid_encoding")],
        {"events": [("e1", "2026-05-01 00:00:00")]},
    ),
    Case(
        "invalid_utf8_in_the_header",
        {
            "events/latin1.csv": "event_id,user_id,event_name,event_time,r\xe9gion\n".encode("latin-1")
            + b"e1,u1,like,2026-05-01,x\n",
            "events/ok.csv": _b(OK_EVENTS),
        },
        {"latin1.csv": (0, 0, 0, 0, "quarantined"), "ok.csv": (1, 1, 0, 0, "loaded")},
        [("latin1.csv", None, "invalid_encoding")],
        {"events": [OK_EVENT_ROW]},
    ),
    Case(
        "byte_order_mark",
        {"events/bom.csv": b"\xef\xbb\xbf" + _b(EVENTS + "e1,u1,like,2026-05-01T10:00:00Z\ne2,,like,2026-05-01\n")},
        {"bom.csv": (2, 1, 1, 0, "loaded")},  # event_id is found although the BOM precedes it
        [("bom.csv", 2, "missing_required_value")],
        {"events": [("e1", "2026-05-01 10:00:00")]},
    ),
    Case(
        "byte_order_mark_in_json_lines",
        {
            "events/bom.jsonl": b"\xef\xbb\xbf"
            + _b(
                '{"event_id":"e1","user_id":"u1","event_name":"like","event_time":"2026-05-01T10:00:00Z"}\n'
                '{"event_id":"e2","user_id":"u1","event_name":"like","event_time":"soon"}\n'
            )
        },
        {"bom.jsonl": (2, 1, 1, 0, "loaded")},
        [("bom.jsonl", 2, "invalid_timestamp")],
        {"events": [("e1", "2026-05-01 10:00:00")]},
    ),
    Case(
        "crlf_line_endings",
        {
            "events/crlf.csv": b"event_id,user_id,event_name,event_time\r\n"
            b"e1,u1,like,2026-05-01T10:00:00Z\r\ne2,u1,like,2026-13-01T10:00:00Z\r\n"
        },
        {"crlf.csv": (2, 1, 1, 0, "loaded")},  # e1's timestamp does not end in a stray \r
        [("crlf.csv", 2, "invalid_timestamp")],
        {"events": [("e1", "2026-05-01 10:00:00")]},
    ),
    Case(
        "quoted_newline",
        {
            "events/a.csv": _b(
                "event_id,user_id,event_name,event_time,note\n"
                'e1,u1,like,2026-05-01T10:00:00Z,"first line\nsecond line"\n'
                "e2,u1,like,not-a-time,plain\n"
            )
        },
        {"a.csv": (2, 1, 1, 0, "loaded")},  # e2 is record 2, although it is on line 4 of the file
        [("a.csv", 2, "invalid_timestamp")],
        {"events": [("e1", "2026-05-01 10:00:00")]},
    ),
    Case(
        "very_long_field",
        {
            "events/a.csv": _b(
                "event_id,user_id,event_name,event_time,note\n"
                "e1,u1,like,2026-05-01T10:00:00Z,short\n"
                f"e2,u1,like,2026-05-01T10:00:00Z,{LONG}\n"
                f"e3,u1,like,2026-05-01T11:00:00Z,{'y' * MAX_FIELD_CHARS}\n"  # exactly at the limit: fine
            )
        },
        {"a.csv": (3, 2, 1, 0, "loaded")},
        [("a.csv", 2, "field_too_long")],
        {"events": [("e1", "2026-05-01 10:00:00"), ("e3", "2026-05-01 11:00:00")]},
    ),
    Case(
        "too_many_fields",
        {"events/a.csv": _b(EVENTS + "e1,u1,like,2026-05-01T10:00:00Z\ne2,u1,like,2026-05-01,extra\ne3,u1\n")},
        {"a.csv": (3, 1, 2, 0, "loaded")},
        [("a.csv", 2, "malformed_csv_row"), ("a.csv", 3, "malformed_csv_row")],
        {"events": [("e1", "2026-05-01 10:00:00")]},
    ),
    Case(
        "corrupt_gzip",
        {"events/broken.csv.gz": b"\x1f\x8b\x08\x00 this is not gzip", "events/ok.csv": _b(OK_EVENTS)},
        {"broken.csv.gz": (0, 0, 0, 0, "quarantined"), "ok.csv": (1, 1, 0, 0, "loaded")},
        [("broken.csv.gz", None, "unreadable_file")],
        {"events": [OK_EVENT_ROW]},
    ),
    Case(
        "corrupt_parquet",
        {"events/broken.parquet": b"PAR1 truncated", "events/ok.csv": _b(OK_EVENTS)},
        {"broken.parquet": (0, 0, 0, 0, "quarantined"), "ok.csv": (1, 1, 0, 0, "loaded")},
        [("broken.parquet", None, "unreadable_file")],
        {"events": [OK_EVENT_ROW]},
    ),
    Case(
        "unsupported_file_type",
        {"events/export.xlsx": b"PK\x03\x04 a spreadsheet", "events/ok.csv": _b(OK_EVENTS)},
        {"export.xlsx": (0, 0, 0, 0, "quarantined"), "ok.csv": (1, 1, 0, 0, "loaded")},
        [("export.xlsx", None, "unsupported_file_type")],
        {"events": [OK_EVENT_ROW]},
    ),
    Case(
        "parquet_column_of_the_wrong_type",
        # amount as text, user_id as int64, order_time as a real timestamp: values are read as text and checked
        {
            "orders/a.parquet": _parquet(
                pa.table(
                    {
                        "order_id": ["o1", "o2"],
                        "user_id": pa.array([1, 2], pa.int64()),
                        "order_time": pa.array([datetime(2026, 5, 1, 10, tzinfo=UTC)] * 2, pa.timestamp("ms", "UTC")),
                        "amount": ["12.50", "twelve"],
                    }
                )
            )
        },
        {"a.parquet": (2, 1, 1, 0, "loaded")},
        [("a.parquet", 2, "invalid_number")],
        {"orders": [("o1", "12.50")]},
    ),
    Case(
        "parquet_score_as_double",
        {
            "surveys/a.parquet": _parquet(
                pa.table(
                    {
                        "response_id": ["r1", "r2"],
                        "user_id": ["u1", "u2"],
                        "response_time": ["2026-05-01T10:00:00Z"] * 2,
                        "score": pa.array([9.0, 7.5], pa.float64()),
                    }
                )
            )
        },
        {"a.parquet": (2, 1, 1, 0, "loaded")},
        [("a.parquet", 2, "invalid_integer")],
        {"surveys": [("r1", 9)]},
    ),
    Case(
        "invalid_date",
        {"marketing_spend/a.csv": _b("spend_date,channel,spend\n2026-05-01,search,10\n2026-02-30,search,10\n")},
        {"a.csv": (2, 1, 1, 0, "loaded")},
        [("a.csv", 2, "invalid_date")],
        {"marketing_spend": [("search", "2026-05-01")]},
    ),
    Case(
        "subscription_period_end_not_after_start",
        {
            "subscriptions/a.jsonl": _b(
                '{"subscription_id":"s1","user_id":"u1","period_start":"2026-04-01","period_end":"2026-05-01"}\n'
                '{"subscription_id":"s1","user_id":"u1","period_start":"2026-05-01","period_end":"2026-05-01"}\n'
            )
        },
        {"a.jsonl": (2, 1, 1, 0, "loaded")},
        [("a.jsonl", 2, "period_end_not_after_start")],
        {"subscriptions": [("s1", "2026-04-01 00:00:00")]},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_bad_input_is_accounted_for(case: Case, tmp_path: Path):
    for relative, content in case.files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(content)
    with duckdb.connect() as conn:
        loads = load_landing(conn, tmp_path, now=NOW)
        audit = {
            Path(f).name: (r, a, q, d, s)
            for f, r, a, q, d, s in conn.execute(
                "select source_file, rows_read, rows_accepted, rows_quarantined, rows_duplicate, file_status "
                "from raw.raw_load_audit"
            ).fetchall()
        }
        quarantine = sorted(
            (
                (Path(f).name, n, code)
                for f, n, code in conn.execute(
                    "select source_file, row_number, reason_code from raw.raw_quarantine"
                ).fetchall()
            ),
            key=lambda x: (x[0], x[1] or 0),
        )
        accepted = {table: conn.execute(ACCEPTED_SQL[table]).fetchall() for table in case.accepted}
        details = conn.execute("select count(*) from raw.raw_quarantine where reason_detail is null").fetchone()[0]
        row_level_raw = conn.execute(
            "select count(*) from raw.raw_quarantine where row_number is not null and raw_record is null"
        ).fetchone()[0]
    assert len(loads) == len(case.files)
    assert audit == case.audit
    assert quarantine == sorted(case.quarantine, key=lambda x: (x[0], x[1] or 0))
    assert accepted == case.accepted
    # every planted row is accounted for, each quarantined one with a reason detail and its raw content
    assert all(r == a + q + d for r, a, q, d, _ in audit.values())
    assert sum(q for _, _, q, _, _ in audit.values()) == sum(1 for _, n, _ in quarantine if n is not None)
    assert details == 0 and row_level_raw == 0


def test_the_reason_code_table_in_the_docs_is_exact():
    """docs/data_contract.md lists exactly the codes the corpus sees the loader emit (every documented code is
    exercised above, and no undocumented one appears), and every whole-file code the loader raises."""
    import re

    from retention_warehouse import ingestion
    from retention_warehouse.settings import REPO_ROOT

    docs = (REPO_ROOT / "docs" / "data_contract.md").read_text(encoding="utf-8")
    table = docs.split("## Reason codes", 1)[1].split("\n\n", 2)[1]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE))
    source = Path(ingestion.__file__).read_text(encoding="utf-8")
    emitted = set(re.findall(r'FileRejected\(\s*"([a-z_]+)"', source))
    exercised = {code for case in CASES for _, _, code in case.quarantine}
    assert len(documented) == 19
    assert exercised == documented
    assert emitted <= documented, emitted - documented
