"""Load landing files into the raw layer of the working DuckDB file, losing nothing.

Each file is read with every column as text, checked against its FeedSpec in one SQL pass, and split three ways:
accepted rows go to `raw.<feed table>`, rows that break a rule go to `raw.raw_quarantine` with a reason code, and
repeated keys (redeliveries) are counted. `raw.raw_load_audit` gets one row per file, so that
rows_read = rows_accepted + rows_quarantined + rows_duplicate can be checked. A file whose SHA-256 was loaded
before is skipped, so loading the same folder twice changes nothing. One file is one transaction.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import logging
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from retention_warehouse.contract import FEEDS, FILE_SUFFIXES, MAX_FIELD_CHARS, Column, FeedSpec

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
LINEAGE_COLUMNS = (
    "extra_attributes varchar, _load_id varchar, _source_file varchar, _row_number bigint, _loaded_at timestamp"
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
    skipped: bool = False
    file_error: str | None = None


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
            rows_accepted bigint, rows_quarantined bigint, rows_duplicate bigint, file_status varchar,
            loaded_at timestamp
        )"""
    )


def landing_files(landing_dir: Path) -> Iterator[tuple[FeedSpec, Path]]:
    """Every data file under each feed folder, in a stable order (feed, then path)."""
    for spec in FEEDS.values():
        folder = landing_dir / spec.feed
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith(".") and path.name.lower().endswith(FILE_SUFFIXES):
                yield spec, path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _reader_sql(path: Path) -> str:
    """The fast, strict DuckDB reader of a file; any error sends CSV and JSON Lines to the careful reader."""
    name = path.name.lower()
    p = _lit(str(path))
    if name.endswith((".csv", ".csv.gz")):
        return (
            f"select * from read_csv({p}, all_varchar = true, header = true, delim = ',', quote = '\"', "
            "escape = '\"', strict_mode = true, skip = 0)"
        )
    if name.endswith(".parquet"):
        return f"select * from read_parquet({p})"
    # JSON Lines: one object a line, kept as JSON so that nested objects stay JSON text.
    return f"select json as __json from read_ndjson_objects({p})"


def _is_csv(path: Path) -> bool:
    return path.name.lower().endswith((".csv", ".csv.gz"))


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


def _stage_file(conn: duckdb.DuckDBPyConnection, path: Path) -> dict[str, str]:
    """Materialise the file as temp table _file (text columns + __row_number) and the records that could not be
    parsed as temp table _rejects; return the map lower-case column name -> column of _file."""
    conn.execute("drop table if exists _file")
    conn.execute("drop table if exists _file_read")
    conn.execute(
        "create or replace temp table _rejects "
        "(__row_number bigint, raw_record varchar, reason_code varchar, reason_detail varchar)"
    )
    rejects: list[Reject] = []
    try:
        conn.execute(
            f"create temp table _file_read as select *, row_number() over () as __row_number from ({_reader_sql(path)})"
        )
        if not _is_csv(path) and path.suffix.lower() != ".parquet":
            not_objects = conn.execute("select count(*) from _file_read where json_type(__json) <> 'OBJECT'")
            if not_objects.fetchone()[0]:
                raise duckdb.InvalidInputException("a line is not a JSON object")
    except duckdb.Error as error:
        conn.execute("drop table if exists _file_read")
        if path.suffix.lower() == ".parquet":
            raise FileRejected("unreadable_file", str(error).splitlines()[0][:500]) from error
        table, rejects = _careful_csv(path) if _is_csv(path) else _careful_jsonl(path)
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
            projections = [f"__json ->> {_lit(k)} as {_q(k)}" for k in sorted(keys)]
            select = ", ".join(projections) if projections else "null as __empty"
            conn.execute(f"create temp table _file as select {select}, __row_number from _file_read")
        else:
            casts = []
            for column, column_type in described:
                nested = any(t in column_type.upper() for t in ("STRUCT", "MAP", "[]", "JSON"))
                expr = f"to_json({_q(column)})::varchar" if nested else f"{_q(column)}::varchar"
                casts.append(f"{expr} as {_q(column)}")
            conn.execute(f"create temp table _file as select {', '.join(casts)}, __row_number from _file_read")
    finally:
        conn.execute("drop table if exists _file_read")
    if not conn.execute("select count(*) from _file").fetchone()[0] + len(rejects):
        raise FileRejected("empty_file", "the file has no data rows (empty, or a header only)")
    return _staged_columns(conn)


def _staged_columns(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    columns: dict[str, str] = {}
    for (column,) in conn.execute("select column_name from (describe _file)").fetchall():
        if column != "__row_number":
            columns.setdefault(column.strip().lstrip("\ufeff").lower(), column)
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
    whens = " ".join(
        f"when length({_q(source)}) > {MAX_FIELD_CHARS} then {_lit(name + ' has ')} || length({_q(source)})"
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
) -> None:
    load.rows_read = conn.execute("select (select count(*) from _file) + (select count(*) from _rejects)").fetchone()[0]
    known = {c.source for c in spec.columns}
    missing = [c for c in spec.required_columns if c not in columns]
    if missing:
        raise FileRejected(
            "missing_required_column",
            f"{path.name} lacks {', '.join(missing)}; columns found: {', '.join(sorted(columns)) or 'none'}",
        )
    extra = [name for name in columns if name not in known and name != "__empty"]
    extra_sql = (
        "to_json(struct_pack(" + ", ".join(f"{_q(n)} := {_q(columns[n])}" for n in extra) + "))::varchar"
        if extra
        else "cast(null as varchar)"
    )
    source_cols = [c for c in columns.values()]
    raw_record = "to_json(struct_pack(" + ", ".join(f"{_q(c)} := _file.{_q(c)}" for c in source_cols) + "))::varchar"
    # Names are normalised once per distinct value (regular expressions per row cost more than the rest of the load).
    name_maps = []
    for c in spec.columns:
        if c.kind == "name" and c.source in columns:
            table = f"_names_{c.name}"
            source = _q(columns[c.source])
            conn.execute(
                f"create or replace temp table {table} as select distinct {source} as __source, "
                f"{_typed(c, '__source')} as __name from _file"
            )
            name_maps.append(f"left join {table} on {table}.__source is not distinct from _file.{source}")
    typed = ",\n".join(
        (f"_names_{c.name}.__name" if c.kind == "name" and c.source in columns else _typed(c, columns.get(c.source)))
        + f" as {_q(c.name)}"
        for c in spec.columns
    )
    sources = ",\n".join(
        f"{'nullif(trim(' + _q(columns[c.source]) + '), ' + _lit('') + ')' if c.source in columns else 'null'}"
        f" as src_{c.name}"
        for c in spec.columns
    )
    rules = [("__too_long is not null", "field_too_long", "__too_long")]
    rules += _reason_rules(spec, columns, future_limit)
    reason = "case " + " ".join(f"when {cond} then {_lit(code)}" for cond, code, _ in rules) + " end"
    detail = "case " + " ".join(f"when {cond} then {d}" for cond, _, d in rules) + " end"
    key = ", ".join(_q(k) for k in spec.key)
    if spec.key:
        # Only the keys this file brings: the semi join builds on the file, so each file costs one probe of the
        # feed's key column, not a distinct over the whole feed.
        key_of = ", ".join("checked." + _q(k) for k in spec.key)
        duplicate = f"""checked.reason_code is null and (
                   row_number() over (partition by {key_of}, checked.reason_code is null
                                      order by checked.__row_number) > 1
                   or existing.__exists is not null)"""
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
        with typed as (
            select __row_number, {extra_sql} as extra_attributes,
                   {_too_long(columns)} as __too_long,
                   {sources},
                   {typed}
            from _file {" ".join(name_maps)}
        ),
        checked as (
            select *, {reason} as reason_code, {detail} as reason_detail from typed
        ){existing}
        select checked.*, {duplicate} as is_duplicate
        from checked {join_existing}
        """
    )
    load.rows_accepted, checked_bad, unparsed, load.rows_duplicate = conn.execute(
        "select count(*) filter (where reason_code is null and not is_duplicate), "
        "count(*) filter (where reason_code is not null), (select count(*) from _rejects), "
        "count(*) filter (where is_duplicate) from _checked"
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


def load_landing(
    conn: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    *,
    future_tolerance_hours: float = 24.0,
    now: datetime | None = None,
    progress: Callable[[FileLoad], None] | None = None,
) -> list[FileLoad]:
    """Load every new file of the landing folder; files already loaded (same SHA-256) are skipped."""
    conn.execute("set TimeZone = 'UTC'")
    ensure_raw_schema(conn)
    now = now or datetime.now(UTC)
    loaded_at = now.replace(tzinfo=None).isoformat(sep=" ")
    future_limit = f"({_lit(loaded_at)}::timestamp + interval {int(future_tolerance_hours * 3600)} second)"
    seen = set(conn.execute("select feed || '/' || file_sha256 from raw.raw_load_audit").fetchall())
    results: list[FileLoad] = []
    for spec, path in landing_files(landing_dir):
        load = FileLoad(feed=spec.feed, source_file=str(path), file_sha256=file_sha256(path))
        if (f"{spec.feed}/{load.file_sha256}",) in seen:
            load.skipped = True
            results.append(load)
            continue
        load_id = f"{now.strftime('%Y%m%dT%H%M%S')}-{spec.feed}-{load.file_sha256[:12]}"
        # Read the file before the transaction: a failed fast read then aborts nothing, and the careful reader
        # takes over. The temp tables _file and _rejects outlive a rollback of the writes below.
        try:
            columns: dict[str, str] | None = _stage_file(conn, path)
            read_error = None
        except FileRejected as rejected:
            columns, read_error = None, rejected
        conn.execute("begin transaction")
        try:
            if read_error is not None or columns is None:
                raise read_error or FileRejected("unreadable_file", "not staged")
            _load_file(conn, spec, path, columns, load, load_id, loaded_at, future_limit)
            status = "loaded"
        except FileRejected as rejected:
            conn.execute("rollback")
            conn.execute("begin transaction")
            load.file_error = str(rejected)
            load.rows_accepted = load.rows_duplicate = 0
            load.rows_quarantined = load.rows_read
            _quarantine_file(conn, spec, path, load, load_id, loaded_at, rejected)
            status = "quarantined"
        conn.execute(
            "insert into raw.raw_load_audit values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::timestamp)",
            [
                load_id,
                spec.feed,
                str(path),
                load.file_sha256,
                load.rows_read,
                load.rows_accepted,
                load.rows_quarantined,
                load.rows_duplicate,
                status,
                loaded_at,
            ],
        )
        conn.execute("commit")
        seen.add((f"{spec.feed}/{load.file_sha256}",))
        results.append(load)
        if progress:
            progress(load)
    return results


def _quarantine_file(
    conn: duckdb.DuckDBPyConnection,
    spec: FeedSpec,
    path: Path,
    load: FileLoad,
    load_id: str,
    loaded_at: str,
    rejected: FileRejected,
) -> None:
    """A whole file is set aside: one quarantine row per readable row, or one row for the file itself."""
    conn.execute("drop table if exists _checked")
    if load.rows_read:
        try:
            columns = _staged_columns(conn)
            record = "to_json(struct_pack(" + ", ".join(f"{_q(c)} := {_q(c)}" for c in columns.values()) + "))"
            conn.execute(
                f"""insert into raw.raw_quarantine
                select ?, ?, ?, __row_number, {record}::varchar, ?, ?, ?::timestamp from _file order by __row_number""",
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
        except FileRejected:
            pass
    with open(path, "rb") as handle:
        head = handle.read(2000).decode("utf-8", errors="replace")
    conn.execute(
        "insert into raw.raw_quarantine values (?, ?, ?, null, ?, ?, ?, ?::timestamp)",
        [load_id, spec.feed, str(path), head, rejected.reason_code, rejected.detail, loaded_at],
    )
