"""The raw data contract (docs/data_contract.md) as data: one FeedSpec per landing sub-folder.

The loader turns each column's kind into a SQL cast plus a reason code for the rows that break it, so adding a
feed or a column is a change here, not in the loader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["text", "name", "timestamp", "date", "amount", "integer", "score", "status", "json_object"]


@dataclass(frozen=True)
class Column:
    source: str  # column name in the file (matched case-insensitively)
    kind: Kind
    required: bool = False
    target: str | None = None  # column name in the raw table, when it differs (event_time -> event_at)

    @property
    def name(self) -> str:
        return self.target or self.source


@dataclass(frozen=True)
class FeedSpec:
    feed: str  # landing sub-folder
    table: str  # raw table
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # a repeated key is a redelivery: kept once, counted as a duplicate
    # An entity (an order, a user, ...) may be corrected: a later delivery of its key that differs from the current
    # row replaces it (latest load wins, then the later row) and is counted as an update; an identical one is a
    # redelivery. Without it (events) the first delivery of a key stands and every later one is a redelivery.
    entity: bool = False
    required_feed: bool = False
    accepted_status: tuple[str, ...] = field(default=())

    @property
    def required_columns(self) -> list[str]:
        return [c.source for c in self.columns if c.required]


ORDER_STATUSES = ("paid", "refunded", "cancelled")

FEEDS: dict[str, FeedSpec] = {
    spec.feed: spec
    for spec in (
        FeedSpec(
            feed="events",
            table="events",
            required_feed=True,
            key=("event_id",),
            columns=(
                Column("event_id", "text", required=True),
                Column("user_id", "text", required=True),
                Column("event_name", "name", required=True),
                Column("event_time", "timestamp", required=True, target="event_at"),
                Column("platform", "text"),
                Column("session_id", "text"),
                Column("properties", "json_object"),
            ),
        ),
        FeedSpec(
            feed="users",
            table="users",
            key=("user_id",),
            entity=True,
            columns=(
                Column("user_id", "text", required=True),
                Column("signup_time", "timestamp", required=True, target="signup_at"),
                Column("acquisition_channel", "text"),
                Column("platform", "text"),
                Column("city_tier", "text"),
                Column("region", "text"),
                Column("birth_year", "integer"),
            ),
        ),
        FeedSpec(
            feed="orders",
            table="orders",
            key=("order_id",),
            entity=True,
            columns=(
                Column("order_id", "text", required=True),
                Column("user_id", "text", required=True),
                Column("order_time", "timestamp", required=True, target="order_at"),
                Column("amount", "amount", required=True),
                Column("currency", "text"),
                Column("status", "status"),
            ),
            accepted_status=ORDER_STATUSES,
        ),
        FeedSpec(
            feed="marketing_spend",
            table="marketing_spend",
            key=("spend_date", "channel"),
            columns=(
                Column("spend_date", "date", required=True),
                Column("channel", "text", required=True),
                Column("spend", "amount", required=True),
            ),
        ),
        FeedSpec(
            feed="subscriptions",
            table="subscriptions",
            key=("subscription_id", "period_start_at"),
            entity=True,
            columns=(
                Column("subscription_id", "text", required=True),
                Column("user_id", "text", required=True),
                Column("plan", "text"),
                Column("period_start", "timestamp", required=True, target="period_start_at"),
                Column("period_end", "timestamp", required=True, target="period_end_at"),
                Column("amount", "amount"),
            ),
        ),
        FeedSpec(
            feed="surveys",
            table="surveys",
            key=("response_id",),
            entity=True,
            columns=(
                Column("response_id", "text", required=True),
                Column("user_id", "text", required=True),
                Column("response_time", "timestamp", required=True, target="response_at"),
                Column("score", "score", required=True),
            ),
        ),
        FeedSpec(
            feed="experiments",
            table="experiment_exposures",
            # a repeated exposure (same user, experiment, variant and time) is a redelivery
            key=("user_id", "experiment", "variant", "exposed_at"),
            columns=(
                Column("user_id", "text", required=True),
                Column("experiment", "name", required=True),
                Column("variant", "name", required=True),
                Column("exposed_at", "timestamp", required=True),
            ),
        ),
    )
}

# The file name endings the loader reads (case-insensitive), and the format each one is read as. Any other file in a
# feed folder is quarantined whole as unsupported_file_type.
FILE_FORMATS: dict[str, Literal["csv", "json_lines", "parquet"]] = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".jsonl": "json_lines",
    ".jsonl.gz": "json_lines",
    ".ndjson": "json_lines",
    ".ndjson.gz": "json_lines",
    ".json": "json_lines",
    ".json.gz": "json_lines",
    ".parquet": "parquet",
}
FILE_SUFFIXES = tuple(FILE_FORMATS)

# A longer value in any column (a log dumped into `properties`, say) sets the row aside as field_too_long.
MAX_FIELD_CHARS = 65_536
