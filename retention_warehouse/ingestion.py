"""Load landing files into the raw layer of the working DuckDB file, losing nothing.

Each file is read with every column as text, checked against its FeedSpec in one SQL pass, and split three ways:
accepted rows go to `raw.<feed table>`, rows that break a rule go to `raw.raw_quarantine` with a reason code, and
repeated keys (redeliveries) are counted. A later delivery of an entity's key (an order, a user, ...) that differs
from its current row is a correction: accepted, and counted as an update. `raw.raw_load_audit` gets one row per
file, so that rows_read = rows_accepted + rows_quarantined + rows_duplicate can be checked. A file whose SHA-256 was
loaded before is not read again (a copy under another name gets an audit line `duplicate_file`), so loading the
same folder twice changes nothing. One file is one transaction.

Every file of a feed folder is accounted for: a file of a format the loader does not read is quarantined whole
(unsupported_file_type), and a file DuckDB fails on for any other reason is quarantined whole (unreadable_file)
while the run goes on. File names and JSON keys are data: DuckDB is handed a private alias of each file (never a
name it could read as a glob) and JSON keys are spelled as quoted JSON paths.

A file of the events feed may be a product-analytics or CDP export (Segment, Mixpanel, Amplitude, PostHog, GA4):
its format is detected from its columns or set per feed folder, and mapped to the contract's columns before the
checks (retention_warehouse/export_formats.py); the rows that link an anonymous id to a user go to
`raw.identity_links`.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from retention_warehouse.contract import FEEDS, FILE_FORMATS, FILE_SUFFIXES, MAX_FIELD_CHARS, Column, FeedSpec
from retention_warehouse.export_formats import (
    CONTRACT,
    EXPORT_FORMATS,
    FORMATS_KEY,
    consumed_columns,
    detect,
    mapped_columns,
)
from retention_warehouse.settings import DEFAULTS

log = logging.getLogger(__name__)


UTF8_BOM = b"\xef\xbb\xbf"
csv.field_size_limit(sys.maxsize)  # a very long field is a row-level rule (field_too_long), not a parse error

SQL_TYPES = {
    "text": "varchar",
    "name": "varchar",
    "timestamp": "timestamp",
    "date": "date",
    "amount": "decimal(18, 2)",
    "integer": "integer",
    "score": "integer",
    "status": "varchar",
    "json_object": "varchar",
}
MAPPED_PREFIX = "__rw_"  # the columns of _file an export format's mapping adds (__rw_event_id, ...)
EMPTY_KEY_COLUMN = "__empty_key"  # the column of _file holding the JSON key "" (a column name cannot be empty)
LINEAGE_COLUMNS = (
    "extra_attributes varchar, _load_id varchar, _source_file varchar, _row_number bigint, _loaded_at timestamp"
)
# The current row of an entity among its deliveries: the latest load, then the later row (files load in the order
# of their paths). Staging picks the same row (macros/current_row.sql).
CURRENT_ROW_ORDER = "_loaded_at desc, _source_file desc, _row_number desc"
DUPLICATE_FILE = "duplicate_file"  # audit file_status of a file whose content was loaded before under another name
AUDIT_COLUMNS = (
    "load_id, feed, source_file, file_sha256, rows_read, rows_accepted, rows_quarantined, rows_duplicate, "
    "rows_updated, file_status, loaded_at, export_format"
)


@dataclass
class FileLoad:
    feed: str
    source_file: str
    file_sha256: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    rows_updated: int = 0  # accepted rows that correct an entity delivered before (counted in rows_accepted too)
    skipped: bool = False
    file_error: str | None = None
    export_format: str | None = None  # the format the file was read as (events: detected or configured)
    reasons: dict[str, int] = field(default_factory=dict)  # reason_code -> quarantine rows of this file


class FileRejected(Exception):
    """A file that cannot be read at all; it is quarantined whole with `reason_code`."""

    def __init__(self, reason_code: str, detail: str):
        super().__init__(f"{reason_code}: {detail}")
        self.reason_code = reason_code
        self.detail = detail


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ensure_raw_schema(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("create schema if not exists raw")
    for spec in FEEDS.values():
        columns = ", ".join(f"{_q(c.name)} {SQL_TYPES[c.kind]}" for c in spec.columns)
        conn.execute(f"create table if not exists raw.{spec.table} ({columns}, {LINEAGE_COLUMNS})")
    conn.execute(
        """
        create table if not exists raw.raw_quarantine (
            load_id varchar, feed varchar, source_file varchar, row_number bigint, raw_record varchar,
            reason_code varchar, reason_detail varchar, quarantined_at timestamp
        )"""
    )
    conn.execute(
        """
        create table if not exists raw.raw_load_audit (
            load_id varchar, feed varchar, source_file varchar, file_sha256 varchar, rows_read bigint,
            rows_accepted bigint, rows_quarantined bigint, rows_duplicate bigint, rows_updated bigint,
            file_status varchar, loaded_at timestamp
        )"""
    )
    conn.execute("alter table raw.raw_load_audit add column if not exists rows_updated bigint default 0")
    conn.execute("alter table raw.raw_load_audit add column if not exists export_format varchar")
    conn.execute(
        """
        create table if not exists raw.identity_links (
            anonymous_id varchar, user_id varchar, linked_at timestamp, export_format varchar, _load_id varchar,
            _source_file varchar, _row_number bigint, _loaded_at timestamp
        )"""
    )


def landing_files(landing_dir: Path) -> Iterator[tuple[FeedSpec, Path]]:
    """Every file under each feed folder, whatever its type, in a stable order (feed, then path).

    Hidden files (a leading `.`: in-progress uploads, `.DS_Store`) are not data. A file of a type the loader does
    not read is listed too, so that it is quarantined (unsupported_file_type) rather than passed over.
    """
    for spec in FEEDS.values():
        folder = landing_dir / spec.feed
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*"), key=str):  # the order of _source_file (CURRENT_ROW_ORDER)
            if path.is_file() and not path.name.startswith("."):
                yield spec, path


def file_suffix(path: Path) -> str | None:
    """The known ending of the file name (`.csv.gz`, `.parquet`, ...; case-insensitive), or None."""
    name = path.name.lower()
    matches = [suffix for suffix in FILE_SUFFIXES if name.endswith(suffix)]
    return max(matches, key=len) if matches else None


def file_format(path: Path) -> str | None:
    """csv, json_lines or parquet; None for a file type the loader does not read."""
    suffix = file_suffix(path)
    return FILE_FORMATS[suffix] if suffix else None


class _Aliases:
    """A private folder of aliases (symbolic links, or copies where links are not allowed) with plain names.

    DuckDB's readers expand `*`, `?` and `[` in a path as a glob, and a file name with a backslash breaks the
    listing of its folder, so a landing file is never handed to DuckDB under its own name: the reader reads
    `<private folder>/file<suffix>`, which names exactly that one file.
    """

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="rw-load-"))
        if any(ch in str(self.folder) for ch in "*?[{\\"):
            raise RuntimeError(f"the temporary folder {self.folder} has a glob character; set TMPDIR")

    def alias(self, path: Path) -> Path:
        return self.aliases([path])[0]

    def aliases(self, paths: list[Path]) -> list[Path]:
        """`file00000<suffix>`, `file00001<suffix>`, ...: names that sort in the order of `paths`."""
        for old in self.folder.iterdir():
            old.unlink()
        targets = []
        for index, path in enumerate(paths):
            target = self.folder / f"file{index:05d}{file_suffix(path) or ''}"
            try:
                os.symlink(path.resolve(), target)
            except OSError:
                shutil.copyfile(path, target)
            targets.append(target)
        return targets

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _reader_sql(fmt: str, read_path: Path) -> str:
    """The fast, strict DuckDB reader of a file (read_path: its alias, never a glob); any error sends CSV and
    JSON Lines to the careful reader."""
    p = _lit(str(read_path))
    if fmt == "csv":
        return (
            f"select * from read_csv({p}, all_varchar = true, header = true, delim = ',', quote = '\"', "
            "escape = '\"', strict_mode = true, skip = 0)"
        )
    if fmt == "parquet":
        return f"select * from read_parquet({p})"
    # JSON Lines: one object a line, kept as JSON so that nested objects stay JSON text.
    return f"select json as __json from read_ndjson_objects({p})"


def _json_value(key: str) -> str:
    """SQL reading the value of one top-level key of `__json` as text (->> semantics), whatever its spelling.

    A key is data: `$insert_id`, `a.b` or `[0]` passed to ->> would be read as a JSON path, so the key is spelled
    as a quoted path member. DuckDB reads the quoted `*` as a wildcard still and rejects the empty key, so those
    two are looked up among the object's members.
    """
    if key in ("", "*"):
        return f"(select json_extract_string(value, '$') from json_each(__json) where key = {_lit(key)} limit 1)"
    quoted = '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"json_extract_string(__json, {_lit('$.' + quoted)})"


def _first_line(error: BaseException, read_path: Path, path: Path) -> str:
    return str(error).replace(str(read_path), path.name).splitlines()[0][:500]


def _file_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise FileRejected("unreadable_file", f"corrupt gzip: {error}") from error
    return data.removeprefix(UTF8_BOM)


def _physical_lines(data: bytes) -> tuple[list[str], set[int]]:
    """Lines with their endings, decoded as UTF-8; the indexes of the lines that are not valid UTF-8."""
    lines, bad = [], set()
    for index, raw in enumerate(data.splitlines(keepends=True)):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(raw.decode("utf-8", errors="backslashreplace"))
            bad.add(index)
    return lines, bad


Reject = tuple[int, str, str, str]  # (row_number, raw text, reason_code, reason_detail)


def _careful_csv(path: Path) -> tuple[pa.Table, list[Reject]]:
    """Record by record with Python's csv module: a record that cannot be parsed is rejected, the rest load.

    Records are numbered like the fast reader numbers rows (data records from 1, blank lines skipped), so a
    row number means the same whichever reader read the file.
    """
    lines, bad = _physical_lines(_file_bytes(path))
    reader = csv.reader(iter(lines), strict=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    numbers: list[int] = []
    rejects: list[Reject] = []
    consumed = 0
    while True:
        start = consumed
        try:
            record = next(reader)
            error = None
        except StopIteration:
            break
        except csv.Error as parse_error:
            record, error = None, str(parse_error)
        consumed = reader.line_num
        if record == []:
            continue
        text = "".join(lines[start:consumed]).rstrip("\r\n")
        if header is None:
            if error or bad & set(range(start, consumed)):
                raise FileRejected("invalid_encoding" if not error else "unreadable_file", f"header: {error or text}")
            header = record
            continue
        number = len(numbers) + len(rejects) + 1
        if bad & set(range(start, consumed)):
            rejects.append((number, text, "invalid_encoding", "not valid UTF-8 (bytes shown as \\x escapes)"))
        elif error or len(record) != len(header):
            detail = error or f"{len(record)} fields where the header has {len(header)}"
            rejects.append((number, text, "malformed_csv_row", detail))
        else:
            rows.append(record)
            numbers.append(number)
        if error:
            break  # the reader cannot resynchronise after a parse error: the rest is one rejected record
    if header is None:
        raise FileRejected("empty_file", "the file is empty")
    columns = {name: pa.array([r[i] for r in rows], pa.string()) for i, name in enumerate(header)}
    columns["__row_number"] = pa.array(numbers, pa.int64())
    return pa.Table.from_arrays(list(columns.values()), names=list(columns)), rejects


def _careful_jsonl(path: Path) -> tuple[pa.Table, list[Reject]]:
    """Line by line: a line that is not a JSON object (a truncated line, say) is rejected, the others load."""
    lines, bad = _physical_lines(_file_bytes(path))
    objects: list[str] = []
    numbers: list[int] = []
    rejects: list[Reject] = []
    for index, line in enumerate(lines):
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        number = len(objects) + len(rejects) + 1
        if index in bad:
            rejects.append((number, text, "invalid_encoding", "not valid UTF-8 (bytes shown as \\x escapes)"))
            continue
        try:
            value = json.loads(text)
        except ValueError as error:
            rejects.append((number, text, "malformed_json_line", f"not valid JSON: {error}"))
            continue
        if not isinstance(value, dict):
            rejects.append((number, text, "malformed_json_line", f"a JSON {type(value).__name__}, not an object"))
            continue
        objects.append(text)
        numbers.append(number)
    table = pa.table({"__json": pa.array(objects, pa.string()), "__row_number": pa.array(numbers, pa.int64())})
    return table, rejects


def _stage_file(conn: duckdb.DuckDBPyConnection, path: Path, read_path: Path) -> dict[str, str]:
    """Materialise the file as temp table _file (text columns + __row_number) and the records that could not be
    parsed as temp table _rejects; return the map lower-case column name -> column of _file.

    `read_path` is what DuckDB reads (an alias of `path` with a plain name); the careful readers read `path`."""
    fmt = file_format(path)
    if fmt is None:
        supported = ", ".join(FILE_SUFFIXES)
        raise FileRejected("unsupported_file_type", f"{path.name}: not a file type the loader reads ({supported})")
    conn.execute("drop table if exists _file")
    conn.execute("drop table if exists _file_read")
    conn.execute(
        "create or replace temp table _rejects "
        "(__row_number bigint, raw_record varchar, reason_code varchar, reason_detail varchar)"
    )
    rejects: list[Reject] = []
    try:
        conn.execute(
            "create temp table _file_read as select *, row_number() over () as __row_number "
            f"from ({_reader_sql(fmt, read_path)})"
        )
        if fmt == "json_lines":
            not_objects = conn.execute("select count(*) from _file_read where json_type(__json) <> 'OBJECT'")
            if not_objects.fetchone()[0]:
                raise duckdb.InvalidInputException("a line is not a JSON object")
    except duckdb.Error as error:
        conn.execute("drop table if exists _file_read")
        if fmt == "parquet":
            raise FileRejected("unreadable_file", _first_line(error, read_path, path)) from error
        table, rejects = _careful_csv(path) if fmt == "csv" else _careful_jsonl(path)
        conn.register("_careful", table)
        conn.execute("create temp table _file_read as select * from _careful")
        conn.unregister("_careful")
    if rejects:
        conn.executemany("insert into _rejects values (?, ?, ?, ?)", [list(r) for r in rejects])
    try:
        described = conn.execute("select column_name, column_type from (describe _file_read)").fetchall()
        described = [(c, t) for c, t in described if c != "__row_number"]
        if [c for c, _ in described] == ["__json"]:
            keys = [k for (k,) in conn.execute("select distinct unnest(json_keys(__json)) from _file_read").fetchall()]
            projections = [f"{_json_value(k)} as {_q(k or EMPTY_KEY_COLUMN)}" for k in sorted(keys)]
            select = ", ".join(projections) if projections else "null as __empty"
            conn.execute(f"create temp table _file as select {select}, __row_number from _file_read")
        else:
            casts = [f"{_as_text(column, column_type)} as {_q(column)}" for column, column_type in described]
            conn.execute(f"create temp table _file as select {', '.join(casts)}, __row_number from _file_read")
    finally:
        conn.execute("drop table if exists _file_read")
    if not conn.execute("select count(*) from _file").fetchone()[0] + len(rejects):
        raise FileRejected("empty_file", "the file has no data rows (empty, or a header only)")
    return _staged_columns(conn)


def _as_text(column: str, column_type: str) -> str:
    """SQL of a column of a typed file (Parquet) as text: nested values as JSON."""
    nested = any(t in column_type.upper() for t in ("STRUCT", "MAP", "[]", "JSON"))
    return f"to_json({_q(column)})::varchar" if nested else f"{_q(column)}::varchar"


def _key_of(column: str) -> str:
    """The name of a column of _file in the file (a JSON key may be empty; a column name may not)."""
    return "" if column == EMPTY_KEY_COLUMN else column


def _json_record(pairs: Iterable[tuple[str, str]]) -> str:
    """SQL of a JSON object text from (key, SQL value) pairs; json_object takes any key, the empty one included."""
    return "json_object(" + ", ".join(f"{_lit(key)}, {value}" for key, value in pairs) + ")::varchar"


def _staged_names(conn: duckdb.DuckDBPyConnection) -> list[str]:
    return [column for (column,) in conn.execute("select column_name from (describe _file)").fetchall()]


def _staged_columns(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return _column_map(_staged_names(conn))


def _column_map(names: Iterable[str]) -> dict[str, str]:
    """Lower-case name (trimmed, without a byte order mark) -> column of _file, for the file's own columns."""
    columns: dict[str, str] = {}
    for column in names:
        if column not in ("__row_number", "__rw_file") and not column.startswith(MAPPED_PREFIX):
            columns.setdefault(_key_of(column).strip().lstrip("\ufeff").lower(), column)
    return columns


def _typed(column: Column, source: str | None) -> str:
    if source is None:
        return f"cast(null as {SQL_TYPES[column.kind]})"
    v = f"nullif(trim({_q(source)}), '')"
    match column.kind:
        case "text":
            return v
        case "name":  # lower snake_case: AddToCart / Add To Cart / add-to-cart -> add_to_cart
            camel = f"regexp_replace({v}, '([a-z0-9])([A-Z])', '\\1_\\2', 'g')"
            return f"trim(regexp_replace(lower({camel}), '[^a-z0-9]+', '_', 'g'), '_')"
        case "timestamp":  # ISO 8601 with offset or Z; naive = UTC; all digits = epoch milliseconds
            return (
                f"case when regexp_full_match({v}, '-?[0-9]{{11,14}}') then epoch_ms(cast({v} as bigint)) "
                f"else cast(try_cast({v} as timestamptz) at time zone 'UTC' as timestamp) end"
            )
        case "date":
            return f"try_cast({v} as date)"
        case "amount":
            return f"try_cast({v} as decimal(18, 2))"
        case "integer" | "score":
            # a whole number, also written as a Parquet double or a decimal with zero fraction (9.0)
            return f"case when regexp_full_match({v}, '[+-]?[0-9]+([.]0*)?') then try_cast({v} as integer) end"
        case "status":
            return f"coalesce(lower({v}), 'paid')"
        case "json_object":
            return v
    raise ValueError(column.kind)


def _too_long(columns: dict[str, str]) -> str:
    """SQL naming the first column, known or extra, whose value is longer than MAX_FIELD_CHARS (else NULL)."""
    # strlen (bytes, stored with the string) is never below length (characters, counted): it screens cheaply
    whens = " ".join(
        f"when strlen({_q(source)}) > {MAX_FIELD_CHARS} and length({_q(source)}) > {MAX_FIELD_CHARS} "
        f"then {_lit(name + ' has ')} || length({_q(source)})"
        f" || {_lit(f' characters (limit {MAX_FIELD_CHARS})')}"
        for name, source in columns.items()
    )
    return f"case {whens} end" if whens else "cast(null as varchar)"


def _reason_rules(spec: FeedSpec, columns: dict[str, str], future_limit: str) -> list[tuple[str, str, str]]:
    """(condition on the `src_`/typed columns, reason_code, reason_detail SQL) in the order they are tried."""
    rules: list[tuple[str, str, str]] = []
    for c in spec.columns:
        present = c.source in columns
        raw = f"src_{c.name}"
        if c.required:
            rules.append((f"{raw} is null", "missing_required_value", _lit(f"{c.source} is empty")))
        if not present:
            continue
        invalid = {
            "timestamp": "invalid_timestamp",
            "date": "invalid_date",
            "amount": "invalid_number",
            "integer": "invalid_integer",
            "score": "invalid_integer",
        }.get(c.kind)
        if invalid:
            rules.append((f"{raw} is not null and {_q(c.name)} is null", invalid, f"{_lit(c.source + ' = ')} || {raw}"))
        if c.kind == "timestamp":
            rules.append((f"{_q(c.name)} > {future_limit}", "future_timestamp", f"{_lit(c.source + ' = ')} || {raw}"))
        if c.kind == "amount":
            rules.append((f"{_q(c.name)} < 0", "negative_amount", f"{_lit(c.source + ' = ')} || {raw}"))
        if c.kind == "score":
            rules.append(
                (
                    f"{_q(c.name)} not between 0 and 10",
                    "score_out_of_range",
                    f"{_lit(c.source + ' = ')} || {raw}",
                )
            )
        if c.kind == "status":
            allowed = ", ".join(_lit(s) for s in spec.accepted_status)
            rules.append((f"{_q(c.name)} not in ({allowed})", "unknown_status", f"{_lit(c.source + ' = ')} || {raw}"))
        if c.kind == "json_object":
            rules.append(
                (
                    f"{raw} is not null and (not coalesce(json_valid({raw}), false) "
                    f"or json_type({raw}::json) <> 'OBJECT')",
                    "invalid_json_object",
                    f"{_lit(c.source + ' is not a JSON object')}",
                )
            )
    if spec.feed == "subscriptions":
        rules.append(
            (
                "period_end_at <= period_start_at",
                "period_end_not_after_start",
                "'period_end must be after period_start'",
            )
        )
    return rules


def _load_file(
    conn: duckdb.DuckDBPyConnection,
    spec: FeedSpec,
    path: Path,
    columns: dict[str, str],
    load: FileLoad,
    load_id: str,
    loaded_at: str,
    future_limit: str,
    formats: dict[str, str],
) -> None:
    load.rows_read = conn.execute("select (select count(*) from _file) + (select count(*) from _rejects)").fetchone()[0]
    raw_columns = columns
    load.export_format = CONTRACT
    if spec.feed == "events":
        load.export_format = formats.get(spec.feed) or detect(set(columns))
        columns = _map_export_format(conn, path, load.export_format, columns, configured=spec.feed in formats)
    _require_columns(spec, path, columns)
    raw_record = _json_record((_key_of(c), f"_file.{_q(c)}") for c in raw_columns.values())
    checks = _checks_sql(conn, spec, columns, future_limit)
    key = ", ".join(_q(k) for k in spec.key)
    # A window over the file's rows by key only where a key repeats in the file (typed, bad rows included; a NULL
    # key counts as a repeat): else a row has no earlier row of its key in the file, and the window is all cost.
    repeats = (
        bool(spec.key) and conn.execute(f"select count(*) > count(distinct row({key})) from ({checks})").fetchone()[0]
    )
    updated = "false"
    if spec.key and spec.entity:
        # The row a delivery is compared with: the key's previous row in this file, else its current row in the
        # raw table. Equal in every contract column and the extra attributes: a redelivery; else a correction.
        def values(table: str) -> str:
            return "row(" + ", ".join(f"{table}.{_q(c.name)}" for c in spec.columns) + f", {table}.extra_attributes)"

        key_of = ", ".join("checked." + _q(k) for k in spec.key)
        window = f"partition by {key_of}, checked.reason_code is null order by checked.__row_number"
        previous = (
            f"coalesce(lag({values('checked')}) over ({window}), existing.__current)"
            if repeats
            else "existing.__current"
        )
        duplicate = f"checked.reason_code is null and {previous} is not distinct from {values('checked')}"
        updated = f"checked.reason_code is null and {previous} is distinct from {values('checked')}"
        updated += f" and {previous} is not null"
        existing = f""",
        existing as (
            select {key}, {values("r")} as __current from raw.{spec.table} as r semi join checked using ({key})
            qualify row_number() over (partition by {key} order by {CURRENT_ROW_ORDER}) = 1
        )"""
        join_existing = f"left join existing using ({key})"
    elif spec.key:
        # Only the keys this file brings: the semi join builds on the file, so each file costs one probe of the
        # feed's key column, not a distinct over the whole feed.
        key_of = ", ".join("checked." + _q(k) for k in spec.key)
        later = f"""row_number() over (partition by {key_of}, checked.reason_code is null
                                      order by checked.__row_number) > 1"""
        duplicate = (
            f"checked.reason_code is null and ({later if repeats else 'false'} or existing.__exists is not null)"
        )
        existing = f""",
        existing as (
            select distinct {key}, true as __exists from raw.{spec.table} semi join checked using ({key})
        )"""
        join_existing = f"left join existing using ({key})"
    else:
        duplicate, existing, join_existing = "false", "", ""
    conn.execute("drop table if exists _checked")
    conn.execute(
        f"""
        create temp table _checked as
        with checked as (
            {checks}
        ){existing}
        select checked.*, {duplicate} as is_duplicate, {updated} as is_updated
        from checked {join_existing}
        """
    )
    load.rows_accepted, checked_bad, unparsed, load.rows_duplicate, load.rows_updated = conn.execute(
        "select count(*) filter (where reason_code is null and not is_duplicate), "
        "count(*) filter (where reason_code is not null), (select count(*) from _rejects), "
        "count(*) filter (where is_duplicate), count(*) filter (where is_updated) from _checked"
    ).fetchone()
    load.rows_quarantined = checked_bad + unparsed
    targets = ", ".join(_q(c.name) for c in spec.columns)
    conn.execute(
        f"""
        insert into raw.{spec.table}
        select {targets}, extra_attributes, {_lit(load_id)}, {_lit(str(path))}, __row_number,
               {_lit(loaded_at)}::timestamp
        from _checked where reason_code is null and not is_duplicate order by __row_number
        """
    )
    if load.export_format in EXPORT_FORMATS:
        anonymous, known_user = _q(MAPPED_PREFIX + "anonymous_id"), _q(MAPPED_PREFIX + "known_user_id")
        conn.execute(
            f"""
        insert into raw.identity_links
        select _file.{anonymous}, _file.{known_user}, min(_checked.event_at), {_lit(load.export_format)},
               {_lit(load_id)}, {_lit(str(path))}, min(__row_number), {_lit(loaded_at)}::timestamp
        from _checked inner join _file using (__row_number)
        where _checked.reason_code is null and not _checked.is_duplicate
            and _file.{anonymous} is not null and _file.{known_user} is not null
            and _file.{anonymous} <> _file.{known_user}
        group by 1, 2
        order by 7
        """
        )
    if checked_bad:  # the statements below cost a join even when they insert nothing
        conn.execute(
            f"""
        insert into raw.raw_quarantine
        select {_lit(load_id)}, {_lit(spec.feed)}, {_lit(str(path))}, __row_number, {raw_record}, reason_code,
               reason_detail, {_lit(loaded_at)}::timestamp
        from _checked inner join _file using (__row_number)
        where reason_code is not null order by __row_number
        """
        )
    if unparsed:
        conn.execute(
            f"""
        insert into raw.raw_quarantine
        select {_lit(load_id)}, {_lit(spec.feed)}, {_lit(str(path))}, __row_number, raw_record, reason_code,
               reason_detail, {_lit(loaded_at)}::timestamp
        from _rejects order by __row_number
        """
        )
    conn.execute("drop table if exists _checked")
    conn.execute("drop table if exists _file")


def _require_columns(spec: FeedSpec, path: Path, columns: dict[str, str]) -> None:
    missing = [c for c in spec.required_columns if c not in columns]
    if missing:
        raise FileRejected(
            "missing_required_column",
            f"{path.name} lacks {', '.join(missing)}; columns found: {', '.join(sorted(columns)) or 'none'}",
        )


def _checks_sql(
    conn: duckdb.DuckDBPyConnection,
    spec: FeedSpec,
    columns: dict[str, str],
    future_limit: str,
    native: frozenset[str] = frozenset(),
) -> str:
    """The SELECT over _file of every row typed and checked: `__row_number`, the contract's columns typed, their
    `src_` text, `extra_attributes`, `reason_code` and `reason_detail` (NULL for a good row), and any `__rw_file`.

    Every column of _file is text, but those in `native`: timestamps a Parquet file holds as timestamps, taken as
    they are (their text would parse back to the same instant). Event names are normalised once per distinct value
    (regular expressions per row cost more than the rest of the load): temp table _names_<column>."""
    known = {c.source for c in spec.columns}
    extra = [name for name in columns if name not in known and name != "__empty"]
    extra_sql = _json_record((n, _q(columns[n])) for n in extra) if extra else "cast(null as varchar)"
    name_maps = []
    for c in spec.columns:
        if c.kind == "name" and c.source in columns:
            table = f"_names_{c.name}"
            source = _q(columns[c.source])
            conn.execute(
                f"create or replace temp table {table} as select __source, {_typed(c, '__source')} as __name "
                f"from (select distinct {source} as __source from _file)"
            )
            name_maps.append(f"left join {table} on {table}.__source is not distinct from _file.{source}")

    def typed_value(c: Column) -> str:
        source = columns.get(c.source)
        if c.kind == "name" and source is not None:
            return f"_names_{c.name}.__name"
        if source in native:
            return f"cast(timezone('UTC', {_q(source)}) as timestamp)"
        return _typed(c, source)

    def source_text(c: Column) -> str:
        source = columns.get(c.source)
        if source is None:
            return "null"
        return _q(source) if source in native else f"nullif(trim({_q(source)}), '')"

    typed = ",\n".join(f"{typed_value(c)} as {_q(c.name)}" for c in spec.columns)
    sources = ",\n".join(f"{source_text(c)} as src_{c.name}" for c in spec.columns)
    rules = [("__too_long is not null", "field_too_long", "__too_long")]
    rules += _reason_rules(spec, columns, future_limit)
    reason = "case " + " ".join(f"when {cond} then {_lit(code)}" for cond, code, _ in rules) + " end"
    detail = "case " + " ".join(f"when {cond} then {d}" for cond, _, d in rules) + " end"
    text_columns = {name: column for name, column in columns.items() if column not in native}
    batch_file = ", __rw_file" if "__rw_file" in _staged_names(conn) else ""
    return f"""
        with typed as (
            select __row_number{batch_file}, {extra_sql} as extra_attributes,
                   {_too_long(text_columns)} as __too_long,
                   {sources},
                   {typed}
            from _file {" ".join(name_maps)}
        )
        select *, {reason} as reason_code, {detail} as reason_detail from typed"""


def _map_export_format(
    conn: duckdb.DuckDBPyConnection, path: Path, name: str, columns: dict[str, str], configured: bool
) -> dict[str, str]:
    """Add to _file the contract's columns as the export format `name` fills them (`__rw_event_id`, ...); return
    the columns the checks read: those, and the file's columns the format does not read (extra attributes)."""
    fmt = EXPORT_FORMATS.get(name)
    if fmt is None:
        return columns
    missing = [c for c in fmt.signature if c not in columns]
    if missing:
        how = f"set by {FORMATS_KEY}.events in the configuration file" if configured else "detected"
        raise FileRejected(
            "missing_required_column",
            f"{path.name} lacks {', '.join(missing)} of the {name} format ({how}); "
            f"columns found: {', '.join(sorted(columns)) or 'none'}",
        )
    mapped = mapped_columns(fmt, columns)
    select = ", ".join(f"{sql} as {_q(MAPPED_PREFIX + target)}" for target, sql in mapped.items())
    conn.execute("drop table if exists _file_mapped")
    conn.execute(f"create temp table _file_mapped as select _file.*, {select} from _file")
    conn.execute("drop table _file")
    conn.execute("alter table _file_mapped rename to _file")
    consumed = consumed_columns(fmt, columns)
    contract = {c.source for c in FEEDS["events"].columns}
    # a column the format does not read is an extra attribute; named like a contract column (Amplitude's event_id
    # counter), it is kept under the format's name: amplitude_event_id
    kept = {
        (f"{name}_{lower}" if lower in contract else lower): column
        for lower, column in columns.items()
        if lower not in consumed
    }
    return kept | {target: MAPPED_PREFIX + target for target in mapped if target in contract}


def load_landing(
    conn: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    *,
    future_tolerance_hours: float = 24.0,
    now: datetime | None = None,
    progress: Callable[[FileLoad], None] | None = None,
    formats: dict[str, str] | None = None,
    batch_rows: int = DEFAULTS.load_batch_rows,
) -> list[FileLoad]:
    """Load every new file of the landing folder; files already loaded (same SHA-256) are skipped.

    `formats`: feed folder -> export format name, the `formats` of the user's configuration file; a feed not in
    it has its format detected per file (retention_warehouse/export_formats.py). `batch_rows`: Parquet files of a
    feed whose keys are never corrected load in batches of about this many rows (`_load_batch`)."""
    conn.execute("set TimeZone = 'UTC'")
    # Rows are kept in the order of an explicit ORDER BY only: a batch is written in parallel, in no set order
    # (a row is identified by _source_file and _row_number, never by its place in the table).
    conn.execute("set preserve_insertion_order = false")
    ensure_raw_schema(conn)
    now = now or datetime.now(UTC)
    loaded_at = now.replace(tzinfo=None).isoformat(sep=" ")
    future_limit = f"({_lit(loaded_at)}::timestamp + interval {int(future_tolerance_hours * 3600)} second)"
    audited = set(conn.execute("select feed, file_sha256, source_file from raw.raw_load_audit").fetchall())
    seen = {(feed, sha) for feed, sha, _ in audited}
    results: list[FileLoad] = []
    aliases = _Aliases()
    batch: list[tuple[Path, FileLoad, int]] = []  # (file, its load, its rows)
    batch_spec: FeedSpec | None = None
    batch_shape: tuple | None = None
    pending_rows = 0
    hashed: dict[str, int] = {}  # raw table -> its rows whose key hashes are in _key_hashes_<table>

    def done(load: FileLoad) -> None:
        results.append(load)
        if progress:
            progress(load)

    def flush() -> None:
        nonlocal batch, pending_rows
        if batch_spec is not None and batch:
            loads = _load_batch(conn, batch_spec, batch, aliases, now, loaded_at, future_limit, formats or {}, hashed)
            for load in loads:
                done(load)
        batch, pending_rows = [], 0

    try:
        for spec, path in landing_files(landing_dir):
            load = FileLoad(feed=spec.feed, source_file=str(path), file_sha256=file_sha256(path))
            if (spec.feed, load.file_sha256) in seen:
                flush()
                load.skipped = True
                if (spec.feed, load.file_sha256, str(path)) not in audited:  # a copy under another name
                    path_id = hashlib.sha256(str(path).encode()).hexdigest()[:8]
                    _audit(conn, load, f"{_load_id(now, spec, load)}-{path_id}", DUPLICATE_FILE, loaded_at)
                    audited.add((spec.feed, load.file_sha256, str(path)))
                results.append(load)
                continue
            seen.add((spec.feed, load.file_sha256))
            audited.add((spec.feed, load.file_sha256, str(path)))
            shape = _batch_shape(spec, path, formats or {})
            if shape is None:
                flush()
                _load_one(conn, spec, path, load, aliases, now, loaded_at, future_limit, formats or {})
                done(load)
                continue
            columns, rows = shape
            if (spec, columns) != (batch_spec, batch_shape) or pending_rows + rows > batch_rows:
                flush()
                batch_spec, batch_shape = spec, columns
            batch.append((path, load, rows))
            pending_rows += rows
        flush()
    finally:
        aliases.close()
        conn.execute("reset preserve_insertion_order")
        for table in hashed:
            conn.execute(f"drop table if exists _key_hashes_{table}")
    return results


def _load_id(now: datetime, spec: FeedSpec, load: FileLoad) -> str:
    return f"{now.strftime('%Y%m%dT%H%M%S')}-{spec.feed}-{load.file_sha256[:12]}"


def _batch_shape(spec: FeedSpec, path: Path, formats: dict[str, str]) -> tuple[tuple, int] | None:
    """(the file's columns and types, its row count) when the file can be loaded in a batch with others of the
    same columns and types; None when it goes on its own through the careful path.

    A batch is Parquet files whose footer reads, with rows, every required column and the contract's columns (an
    export format is mapped file by file), of a feed whose keys are never corrected (an entity's corrections are
    compared file by file) and are required (a NULL key is a file-by-file case too)."""
    if file_format(path) != "parquet" or spec.entity or not spec.key:
        return None
    required = {c.name for c in spec.columns if c.required}
    if not set(spec.key) <= required:
        return None
    try:
        schema = pq.read_schema(path)
        rows = pq.read_metadata(path).num_rows
    except (OSError, pa.ArrowException):
        return None
    names = [name.strip().lstrip("\ufeff").lower() for name in schema.names]
    if not rows or len(set(names)) != len(names) or {"__rw_file", "file_row_number", "__row_number"} & set(names):
        return None
    if any(name.startswith(MAPPED_PREFIX) for name in names) or not set(spec.required_columns) <= set(names):
        return None
    if spec.feed == "events" and (formats.get(spec.feed) or detect(set(names))) != CONTRACT:
        return None
    return tuple(zip(schema.names, map(str, schema.types), strict=True)), rows


NATIVE_TIMESTAMPS = ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE")


def _key_hashes(conn: duckdb.DuckDBPyConnection, spec: FeedSpec, hashed: dict[str, int]) -> str:
    """The temp table of the hash of every key of raw.<table>, brought up to date: `hashed` holds how many of the
    table's rows it covers (the raw tables are append-only, so new rows are those from that rowid on)."""
    table, key = f"_key_hashes_{spec.table}", ", ".join(_q(k) for k in spec.key)
    if spec.table not in hashed:
        conn.execute(f"create or replace temp table {table} (__h ubigint)")
        hashed[spec.table] = 0
    rows, covered = conn.execute(f"select count(*) from raw.{spec.table}").fetchone()[0], hashed[spec.table]
    if rows > covered:
        conn.execute(f"insert into {table} select hash({key}) from raw.{spec.table} where rowid >= {covered}")
    hashed[spec.table] = rows
    return table


def _load_batch(
    conn: duckdb.DuckDBPyConnection,
    spec: FeedSpec,
    batch: list[tuple[Path, FileLoad, int]],
    aliases: _Aliases,
    now: datetime,
    loaded_at: str,
    future_limit: str,
    formats: dict[str, str],
    hashed: dict[str, int],
) -> list[FileLoad]:
    """Parquet files of one feed with the same columns, read in one pass and loaded as one transaction, with the
    result of loading them one by one in their order: the same checks, reasons and row numbers (the reader's own
    file row number), a key's first good row kept and every later one (in this batch or already in the table)
    counted as a duplicate; one audit row per file.

    Timestamps are read as the file types them; the other columns as text, as file by file. If anything of the
    batch fails, it is rolled back and its files go one by one through the careful path, which sets aside only
    the file that fails."""
    read_paths = aliases.aliases([path for path, _, _ in batch])
    files = {str(read): (path, load) for read, (path, load, _) in zip(read_paths, batch, strict=True)}
    rows = {str(read): count for read, (_, _, count) in zip(read_paths, batch, strict=True)}
    listing = "[" + ", ".join(_lit(read) for read in files) + "]"
    scan = f"read_parquet({listing}, filename = '__rw_file', file_row_number = true)"
    started = False
    try:
        described = [
            (c, t)
            for c, t in conn.execute(f"select column_name, column_type from (describe select * from {scan})").fetchall()
            if c not in ("__rw_file", "file_row_number")
        ]
        columns = _column_map(c for c, _ in described)
        timestamps = {c.source for c in spec.columns if c.kind == "timestamp"}
        types = dict(described)
        native = frozenset(
            col for name, col in columns.items() if name in timestamps and types[col] in NATIVE_TIMESTAMPS
        )
        select = ", ".join(_q(c) if c in native else f"{_as_text(c, t)} as {_q(c)}" for c, t in described)
        conn.execute(
            f"create or replace temp view _file as "
            f"select {select}, __rw_file, file_row_number + 1 as __row_number from {scan}"
        )
        known_hashes = _key_hashes(conn, spec, hashed)
        conn.execute("begin transaction")
        started = True
        conn.execute(
            "create or replace temp table _batch_files (__rw_file varchar, load_id varchar, source_file varchar)"
        )
        conn.executemany(
            "insert into _batch_files values (?, ?, ?)",
            [[read, _load_id(now, spec, load), str(path)] for read, (path, load) in files.items()],
        )
        checks = _checks_sql(conn, spec, columns, future_limit, native)
        key = ", ".join(_q(k) for k in spec.key)
        # Redeliveries: a key's later good rows in the batch (file order, then row order), and the good rows of a
        # key the table has already. Candidates are found by the keys' hashes (integers, against the hashes of the
        # table's keys); only the rows of a candidate hash are compared by their keys.
        conn.execute(f"create or replace temp table _batch_hashes as select hash({key}) as __h from ({checks})")
        # a hash repeated in the batch is equal to the one before it in hash order (a sort costs less than a hash
        # aggregate of millions of distinct values)
        conn.execute(
            f"""
            create or replace temp table _candidate_hashes as
            select __h from (select __h, lag(__h) over (order by __h) as __previous from _batch_hashes)
            where __h = __previous
            union
            select __h from {known_hashes} semi join _batch_hashes using (__h)
            """
        )
        duplicates: dict[str, int] = {}
        if conn.execute("select count(*) from _candidate_hashes").fetchone()[0]:
            conn.execute(
                f"""
                create or replace temp table _duplicate as
                with candidates as (
                    select {key}, __rw_file, __row_number,
                           row_number() over (partition by {key} order by __rw_file, __row_number) as __n
                    from ({checks})
                    where reason_code is null and hash({key}) in (select __h from _candidate_hashes)
                ),
                existing as (
                    select distinct {key}, true as __existing from raw.{spec.table}
                    where hash({key}) in (select __h from _candidate_hashes)
                )
                select __rw_file, __row_number from candidates left join existing using ({key})
                where __n > 1 or __existing
                """
            )
            duplicates = dict(conn.execute("select __rw_file, count(*) from _duplicate group by 1").fetchall())
        not_duplicate = (
            "and not exists (select 1 from _duplicate d where d.__rw_file = c.__rw_file "
            "and d.__row_number = c.__row_number)"
            if duplicates
            else ""
        )
        before = conn.execute(f"select count(*) from raw.{spec.table}").fetchone()[0]
        conn.execute(
            f"""
            insert into raw.{spec.table}
            select {", ".join("c." + _q(col.name) for col in spec.columns)}, c.extra_attributes, f.load_id,
                   f.source_file, c.__row_number, {_lit(loaded_at)}::timestamp
            from ({checks}) c inner join _batch_files f on f.__rw_file = c.__rw_file
            where c.reason_code is null {not_duplicate}
            """
        )
        accepted = dict(
            conn.execute(
                f"select _load_id, count(*) from raw.{spec.table} where rowid >= {before} group by 1"
            ).fetchall()
        )
        ids = {read: _load_id(now, spec, load) for read, (_, load) in files.items()}
        for read, (_, load) in files.items():
            load.rows_read = rows[read]
            load.rows_duplicate = duplicates.get(read, 0)
            load.rows_accepted = accepted.get(ids[read], 0)
            load.rows_quarantined = load.rows_read - load.rows_accepted - load.rows_duplicate
            load.export_format = CONTRACT
        by_id = {ids[read]: load for read, (_, load) in files.items()}
        if any(load.rows_quarantined for load in by_id.values()):
            record = _json_record(
                (_key_of(col), f"_file.{_q(col)}::varchar" if col in native else f"_file.{_q(col)}")
                for col in columns.values()
            )
            conn.execute(
                f"""
                insert into raw.raw_quarantine
                select f.load_id, {_lit(spec.feed)}, f.source_file, c.__row_number, {record}, c.reason_code,
                       c.reason_detail, {_lit(loaded_at)}::timestamp
                from ({checks}) c
                inner join _batch_files f on f.__rw_file = c.__rw_file
                inner join _file on _file.__rw_file = c.__rw_file and _file.__row_number = c.__row_number
                where c.reason_code is not null
                order by f.source_file, c.__row_number
                """
            )
            for load_id, code, count in conn.execute(
                "select load_id, reason_code, count(*) from raw.raw_quarantine "
                "where load_id in (select load_id from _batch_files) group by 1, 2 order by 3 desc, 2"
            ).fetchall():
                by_id[load_id].reasons[code] = count
        for read, (_, load) in files.items():
            if sum(load.reasons.values()) != load.rows_quarantined:  # the counts must reconcile, else file by file
                raise duckdb.InvalidInputException(f"{load.source_file}: counts do not reconcile")
            _audit(conn, load, ids[read], "loaded", loaded_at)
        conn.execute("commit")
        return [load for _, load, _ in batch]
    except duckdb.Error as failure:
        if started:
            conn.execute("rollback")
        conn.execute("drop view if exists _file")
        log.info("batch of %d %s files failed (%s); loading them one by one", len(batch), spec.feed, failure)
        loads = []
        for path, load, _ in batch:
            fresh = FileLoad(feed=load.feed, source_file=load.source_file, file_sha256=load.file_sha256)
            _load_one(conn, spec, path, fresh, aliases, now, loaded_at, future_limit, formats)
            loads.append(fresh)
        return loads
    finally:
        for table in ("_batch_hashes", "_candidate_hashes", "_duplicate", "_batch_files"):
            conn.execute(f"drop table if exists {table}")
        conn.execute("drop view if exists _file")


def _load_one(
    conn: duckdb.DuckDBPyConnection,
    spec: FeedSpec,
    path: Path,
    load: FileLoad,
    aliases: _Aliases,
    now: datetime,
    loaded_at: str,
    future_limit: str,
    formats: dict[str, str],
) -> None:
    """One file, one transaction: loaded, or quarantined whole with a reason; either way one audit row."""
    load_id = _load_id(now, spec, load)
    # Read the file before the transaction: a failed fast read then aborts nothing, and the careful reader
    # takes over. The temp tables _file and _rejects outlive a rollback of the writes below.
    read_path = aliases.alias(path)
    try:
        columns: dict[str, str] | None = _stage_file(conn, path, read_path)
        read_error = None
    except FileRejected as rejected:
        columns, read_error = None, rejected
    except duckdb.Error as error:  # whatever DuckDB fails on, the file is set aside and the run goes on
        conn.execute("drop table if exists _file")
        columns, read_error = (
            None,
            FileRejected("unreadable_file", f"{path.name}: {_first_line(error, read_path, path)}"),
        )
    conn.execute("begin transaction")
    try:
        if read_error is not None or columns is None:
            raise read_error or FileRejected("unreadable_file", f"{path.name}: not staged")
        _load_file(conn, spec, path, columns, load, load_id, loaded_at, future_limit, formats)
        status = "loaded"
    except (FileRejected, duckdb.Error) as failure:
        conn.execute("rollback")
        if isinstance(failure, FileRejected):
            rejected = failure
        else:  # a statement of the load failed: nothing of the file is kept but its one quarantine row
            rejected = FileRejected("unreadable_file", f"{path.name}: {_first_line(failure, read_path, path)}")
            load.rows_read = 0
            conn.execute("drop table if exists _file")
        conn.execute("begin transaction")
        load.file_error = str(rejected)
        load.rows_accepted = load.rows_duplicate = load.rows_updated = 0
        _quarantine_file(conn, spec, path, load, load_id, loaded_at, rejected)
        load.rows_quarantined = load.rows_read
        status = "quarantined"
    if load.rows_quarantined or load.file_error:
        load.reasons = dict(
            conn.execute(
                "select reason_code, count(*) from raw.raw_quarantine where load_id = ? group by 1 order by 2 desc, 1",
                [load_id],
            ).fetchall()
        )
    _audit(conn, load, load_id, status, loaded_at)
    conn.execute("commit")


def _audit(conn: duckdb.DuckDBPyConnection, load: FileLoad, load_id: str, status: str, loaded_at: str) -> None:
    conn.execute(
        f"insert into raw.raw_load_audit ({AUDIT_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::timestamp, ?)",
        [
            load_id,
            load.feed,
            load.source_file,
            load.file_sha256,
            load.rows_read,
            load.rows_accepted,
            load.rows_quarantined,
            load.rows_duplicate,
            load.rows_updated,
            status,
            loaded_at,
            load.export_format,
        ],
    )


def _quarantine_file(
    conn: duckdb.DuckDBPyConnection,
    spec: FeedSpec,
    path: Path,
    load: FileLoad,
    load_id: str,
    loaded_at: str,
    rejected: FileRejected,
) -> None:
    """A whole file is set aside: one quarantine row per readable row, or one row for the file itself (then
    load.rows_read is 0)."""
    conn.execute("drop table if exists _checked")
    if load.rows_read:
        try:
            columns = _staged_columns(conn)
            record = _json_record((_key_of(c), _q(c)) for c in columns.values())
            conn.execute(
                f"""insert into raw.raw_quarantine
                select ?, ?, ?, __row_number, {record}, ?, ?, ?::timestamp from _file order by __row_number""",
                [load_id, spec.feed, str(path), rejected.reason_code, rejected.detail, loaded_at],
            )
            conn.execute(
                """insert into raw.raw_quarantine
                select ?, ?, ?, __row_number, raw_record, reason_code, reason_detail, ?::timestamp
                from _rejects order by __row_number""",
                [load_id, spec.feed, str(path), loaded_at],
            )
            conn.execute("drop table if exists _file")
            return
        except duckdb.Error:
            conn.execute("rollback")
            conn.execute("begin transaction")
        load.rows_read = 0
    conn.execute("drop table if exists _file")
    with open(path, "rb") as handle:
        head = handle.read(2000).decode("utf-8", errors="replace")
    conn.execute(
        "insert into raw.raw_quarantine values (?, ?, ?, null, ?, ?, ?, ?::timestamp)",
        [load_id, spec.feed, str(path), head, rejected.reason_code, rejected.detail, loaded_at],
    )


def load_problems(loads: Iterable[FileLoad], max_quarantined_share: float) -> list[str]:
    """Why a run must stop before its deliveries reach the models: one line per feed whose new files in this run
    accepted no row (unless every row was a redelivery), or whose quarantined share of the rows read is above
    `max_quarantined_share`; each line names the feed's bad files and the top reasons. Empty: the run goes on."""
    by_feed: dict[str, list[FileLoad]] = {}
    for load in loads:
        if not load.skipped:
            by_feed.setdefault(load.feed, []).append(load)
    problems = []
    for feed, files in by_feed.items():
        read = sum(x.rows_read for x in files)
        accepted = sum(x.rows_accepted for x in files)
        quarantined = sum(x.rows_quarantined for x in files)
        duplicates = sum(x.rows_duplicate for x in files)
        share = quarantined / read if read else 0.0
        redelivery = read > 0 and duplicates == read and not any(x.file_error for x in files)
        if accepted == 0 and not redelivery:
            verdict = f"{feed}: {len(files)} new file(s) and no row accepted ({read} read, {quarantined} quarantined)"
        elif share > max_quarantined_share:
            verdict = (
                f"{feed}: {quarantined} of {read} rows quarantined ({share:.0%}, above RW_MAX_QUARANTINED_SHARE = "
                f"{max_quarantined_share:g})"
            )
        else:
            continue
        bad = [x for x in files if x.rows_quarantined or x.file_error]
        names = ", ".join(Path(x.source_file).name for x in bad[:10]) + (
            f" and {len(bad) - 10} more" if len(bad) > 10 else ""
        )
        reasons: Counter[str] = Counter()
        for x in files:
            reasons.update(x.reasons)
        top = ", ".join(f"{code} {count}" for code, count in reasons.most_common(3))
        problems.append(f"{verdict}; files: {names or 'none'}; top reasons: {top or 'none'}")
    return problems
