"""Product-analytics and CDP exports as the events feed, with no conversion by hand (docs/own_data.md).

One table, EXPORT_FORMATS, says for each tool's export which of its fields fill each column of the contract's events
feed; one function, `mapped_columns`, turns an entry into SQL. A file's format is detected from its columns (the
first format whose `signature` columns it has all of), or set per feed folder in the user's configuration file
(`formats: {events: amplitude}`); the format a file was read as is recorded in `raw.raw_load_audit.export_format`.

A field is a column of the file (`uuid`), or a key inside a column holding a JSON object (`properties.$insert_id`,
`context.device.type`); the first of a field list with a value wins. Times follow one rule per format, never a guess
per row: `text` is an ISO 8601 / `YYYY-MM-DD HH:MM:SS[.ffffff]` time (naive = UTC) and an all-digits value is
invalid; `seconds` and `microseconds` are whole epoch numbers in that unit (at most 11 and 17 digits). The user
id is the export's known user id, else its anonymous or device id; a row that carries both links the anonymous id
to the user (raw.identity_links), and staging counts every event of a linked anonymous id as the user's
(docs/data_contract.md, Identity).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb

CONTRACT = "contract"  # the contract's own columns (docs/data_contract.md): no mapping
CONTRACT_SIGNATURE = ("event_id", "event_name", "event_time")
FORMATS_KEY = "formats"  # the key of the user's configuration file: feed folder -> format name


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str
    signature: tuple[str, ...]  # columns (lower-case) that identify the format; all are required
    event_id: tuple[str, ...]  # () or no value: an id derived from the row's content
    event_name: tuple[str, ...]
    event_time: tuple[str, ...]
    time_unit: Literal["text", "seconds", "microseconds"]
    known_user_id: tuple[str, ...]  # the tool's user id ...
    anonymous_id: tuple[str, ...]  # ... and its anonymous or device id, the fallback; both in a row: a link
    platform: tuple[str, ...] = ()
    session_id: tuple[str, ...] = ()
    no_session: str | None = None  # a session_id value meaning "no session"
    properties: tuple[str, ...] = ()
    properties_are_key_values: bool = False  # GA4's event_params: [{key, value: {string_value, int_value, ...}}]


EXPORT_FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            name="segment",
            label="Segment / RudderStack warehouse `tracks` table (CSV or Parquet)",
            signature=("id", "anonymous_id", "event", "timestamp"),
            event_id=("id",),
            event_name=("event",),
            event_time=("timestamp",),
            time_unit="text",
            known_user_id=("user_id",),
            anonymous_id=("anonymous_id",),
            platform=("context_device_type", "context_os_name"),
        ),
        ExportFormat(
            name="segment_json",
            label="Segment / RudderStack event JSON (track, identify, page, screen calls)",
            signature=("messageid", "type", "timestamp"),
            event_id=("messageid",),
            event_name=("event", "type"),  # an identify or page call has no event name: its type is the name
            event_time=("timestamp",),
            time_unit="text",
            known_user_id=("userid",),
            anonymous_id=("anonymousid",),
            platform=("context.device.type", "context.os.name"),
            properties=("properties",),
        ),
        ExportFormat(
            name="amplitude",
            label="Amplitude Export API (`*.json.gz`, one JSON event a line)",
            signature=("uuid", "event_type", "event_time"),
            event_id=("uuid", "$insert_id"),
            event_name=("event_type",),
            event_time=("event_time",),
            time_unit="text",
            known_user_id=("user_id",),
            anonymous_id=("device_id",),
            platform=("platform",),
            session_id=("session_id",),
            no_session="-1",
            properties=("event_properties",),
        ),
        ExportFormat(
            name="posthog",
            label="PostHog events export (CSV)",
            signature=("uuid", "event", "timestamp", "distinct_id"),
            event_id=("uuid",),
            event_name=("event",),
            event_time=("timestamp",),
            time_unit="text",
            known_user_id=("distinct_id",),
            anonymous_id=("properties.$anon_distinct_id",),  # set on $identify events
            platform=("properties.$os",),
            session_id=("properties.$session_id",),
            properties=("properties",),
        ),
        ExportFormat(
            name="ga4",
            label="Google Analytics 4 BigQuery export, flattened to one row per event",
            signature=("event_timestamp", "event_name", "user_pseudo_id"),
            event_id=(),
            event_name=("event_name",),
            event_time=("event_timestamp",),
            time_unit="microseconds",
            known_user_id=("user_id",),
            anonymous_id=("user_pseudo_id",),
            platform=("platform",),
            session_id=("ga_session_id",),
            properties=("event_params",),
            properties_are_key_values=True,
        ),
        ExportFormat(
            name="mixpanel",
            label="Mixpanel raw event export (JSON Lines)",
            signature=("event", "properties"),
            event_id=("properties.$insert_id",),
            event_name=("event",),
            event_time=("properties.time",),
            time_unit="seconds",
            known_user_id=("properties.$user_id",),
            anonymous_id=("properties.$device_id", "properties.distinct_id"),
            platform=("properties.$os",),
            properties=("properties",),
        ),
    )
}
FORMAT_NAMES = (CONTRACT, *EXPORT_FORMATS)


def detect(columns: set[str]) -> str:
    """The format of a file of the events feed with these (lower-case) columns: the contract when it has the
    contract's columns, else the first export format whose signature it has, else the contract (its missing
    columns then set the file aside as missing_required_column)."""
    if set(CONTRACT_SIGNATURE) <= columns:
        return CONTRACT
    for fmt in EXPORT_FORMATS.values():
        if set(fmt.signature) <= columns:
            return fmt.name
    return CONTRACT


def check_formats(value: object, source: str) -> dict[str, str]:
    """The `formats` mapping of the user's configuration file, checked: feed folder -> format name."""
    key = f"{source}: key {FORMATS_KEY}"
    if not isinstance(value, dict):
        raise ValueError(f"{key}: expected a mapping of feed folder to format, e.g. {{events: amplitude}}")
    for feed, name in value.items():
        if feed != "events":
            raise ValueError(f"{key}.{feed}: only the events feed has export formats")
        if name not in FORMAT_NAMES:
            raise ValueError(f"{key}.{feed}: {name!r} is not a format; the formats are {', '.join(FORMAT_NAMES)}")
    return dict(value)


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _field_column(field: str, columns: dict[str, str]) -> str | None:
    """The file column a field reads: the field itself when the file has such a column, else the part before
    the first dot."""
    if field in columns:
        return field
    head = field.split(".", 1)[0]
    return head if head in columns and head != field else None


def _field_sql(field: str, columns: dict[str, str]) -> str | None:
    """SQL of a field's text value, NULL when empty; None when the file has no column for it."""
    column = _field_column(field, columns)
    if column is None:
        return None
    value = f"_file.{_q(columns[column])}"
    if column != field:  # a key path inside a JSON object column
        path = "$" + "".join(
            '."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"' for key in field[len(column) + 1 :].split(".")
        )
        value = f"case when json_valid({value}) then json_extract_string({value}, {_lit(path)}) end"
    return f"nullif(trim({value}), '')"


def _first(fields: tuple[str, ...], columns: dict[str, str]) -> str:
    values = [sql for sql in (_field_sql(f, columns) for f in fields) if sql]
    if not values:
        return "cast(null as varchar)"
    return values[0] if len(values) == 1 else f"coalesce({', '.join(values)})"


def _time_sql(value: str, unit: str, fields: tuple[str, ...]) -> str:
    """Text the contract's timestamp rule reads (ISO, naive = UTC), or a text it rejects as invalid_timestamp
    that says why."""
    source = "/".join(fields)
    if unit == "text":
        invalid = _lit(source + " is not a date and time: ")
        return f"case when regexp_full_match({value}, '[0-9]+') then {invalid} || {value} else {value} end"
    # at most 11 digits of seconds or 17 of microseconds (year 5138), so a value in another unit is rejected, never
    # read as a time thousands of years away
    digits, per_second = ("[0-9]{1,11}", 1_000_000) if unit == "seconds" else ("[0-9]{1,17}", 1)
    return (
        f"case when regexp_full_match({value}, '-?{digits}') "
        f"then strftime(make_timestamp(cast({value} as bigint) * {per_second}), '%Y-%m-%d %H:%M:%S.%f') "
        f"else {_lit(f'{source} is not epoch {unit}: ')} || {value} end"
    )


def _key_values_sql(value: str) -> str:
    """GA4's [{key, value: {string_value | int_value | double_value | float_value}}] as one JSON object; any other
    value as it is (a JSON object is kept, anything else is quarantined as invalid_json_object)."""
    pairs = (
        "select json_group_object(p ->> 'key', coalesce(p -> 'value' -> 'string_value', p -> 'value' -> 'int_value', "
        "p -> 'value' -> 'double_value', p -> 'value' -> 'float_value')) "
        f"from (select unnest(cast({value} as json[])) as p)"
    )
    return f"case when json_type(try_cast({value} as json)) = 'ARRAY' then ({pairs})::varchar else {value} end"


def mapped_columns(fmt: ExportFormat, columns: dict[str, str]) -> dict[str, str]:
    """SQL over temp table `_file` (columns: lower-case name -> column of _file) of each contract column of the
    events feed, and of `anonymous_id` and `known_user_id` (the identity link of the row)."""
    known, anonymous = _first(fmt.known_user_id, columns), _first(fmt.anonymous_id, columns)
    content = ", ".join(f"{_lit(name)}, _file.{_q(columns[name])}" for name in sorted(columns))
    derived = f"{_lit(fmt.name + ':')} || md5(json_object({content})::varchar)"
    event_id = _first(fmt.event_id, columns) if fmt.event_id else "cast(null as varchar)"
    session = _first(fmt.session_id, columns)
    if fmt.no_session is not None:
        session = f"nullif({session}, {_lit(fmt.no_session)})"
    properties = _first(fmt.properties, columns)
    if fmt.properties_are_key_values:
        properties = _key_values_sql(properties)
    return {
        "event_id": f"coalesce({event_id}, {derived})",
        "user_id": f"coalesce({known}, {anonymous})",
        "event_name": _first(fmt.event_name, columns),
        "event_time": _time_sql(_first(fmt.event_time, columns), fmt.time_unit, fmt.event_time),
        "platform": f"lower({_first(fmt.platform, columns)})",
        "session_id": session,
        "properties": properties,
        "anonymous_id": anonymous,
        "known_user_id": known,
    }


def consumed_columns(fmt: ExportFormat, columns: dict[str, str]) -> set[str]:
    """The file's columns the format reads whole into the contract's columns; the others, a column read only for
    keys inside it (Segment's `context`) included, are kept as extra attributes."""
    fields = (
        fmt.event_id
        + fmt.event_name
        + fmt.event_time
        + fmt.known_user_id
        + fmt.anonymous_id
        + fmt.platform
        + fmt.session_id
        + fmt.properties
    )
    return {f for f in fields if f in columns}


# Anonymous ids whose person changed since the events were last built (staging.stg_app__events): the person of an
# anonymous id is the user of its earliest link (then the smallest user id), over the links loaded up to the newest
# load already staged (before) and over all links (after). Events of such an id that are already staged carry the
# old person, so the incremental refresh cannot restate them: the run rebuilds in full instead.
RESTATED_ANONYMOUS_IDS_SQL = """
with built as (
    select max(loaded_at) as mark from staging.stg_app__events
),
ranked as (
    select
        anonymous_id,
        user_id,
        _loaded_at <= (select mark from built) as was_built,
        row_number() over (partition by anonymous_id order by linked_at, user_id) as rank_after,
        row_number() over (
            partition by anonymous_id, _loaded_at <= (select mark from built) order by linked_at, user_id
        ) as rank_before
    from raw.identity_links
),
person_after as (select anonymous_id, user_id from ranked where rank_after = 1),
person_before as (select anonymous_id, user_id from ranked where was_built and rank_before = 1),
changed as (
    select person_after.anonymous_id
    from person_after left join person_before using (anonymous_id)
    where person_before.user_id is distinct from person_after.user_id
)
select count(*) from changed
where exists (
    select 1 from raw.events
    where events.user_id = changed.anonymous_id and events._loaded_at <= (select mark from built)
)
"""


FULL_REBUILD_NOTE = "Full rebuild:"  # how the run's log and summary say that identity links made it a full build


def full_rebuild_note(restated: int) -> str:
    return (
        f"{FULL_REBUILD_NOTE} {restated} anonymous id(s) with events already built were linked to a user since the "
        "last build (raw.identity_links), so this run rebuilds every model (dbt build --full-refresh) and their "
        "events count as that user."
    )


def restated_anonymous_ids(work_db_path: Path) -> int:
    """How many anonymous ids with events already built were linked to another person since (0: none, or
    nothing built yet, when the build is a full one anyway)."""
    if not work_db_path.exists():
        return 0
    with duckdb.connect(str(work_db_path), read_only=True) as conn:
        tables = {
            f"{schema}.{name}"
            for schema, name in conn.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        if not {"staging.stg_app__events", "raw.identity_links", "raw.events"} <= tables:
            return 0
        return conn.execute(RESTATED_ANONYMOUS_IDS_SQL).fetchone()[0]
