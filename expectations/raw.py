"""Raw layer: the data contract holds for every accepted row of the latest load.

Only the rows of the latest load are read (`ROWS`), so the check costs in proportion to new data.
"""

from __future__ import annotations

import great_expectations as gx

E = gx.expectations


def _latest(table: str) -> str:
    return f"select * from raw.{table} where _loaded_at = (select max(_loaded_at) from raw.{table})"


SUITES = {
    "raw.events": lambda: [
        E.ExpectColumnValuesToNotBeNull(column="event_id"),
        E.ExpectColumnValuesToBeUnique(column="event_id"),
        E.ExpectColumnValuesToNotBeNull(column="user_id"),
        E.ExpectColumnValuesToMatchRegex(column="event_name", regex=r"^[a-z0-9]+(_[a-z0-9]+)*$"),
        E.ExpectColumnValuesToNotBeNull(column="event_at"),
    ],
    # A repeated order_id may be a correction (docs/data_contract.md): staging tests that each order stands once.
    "raw.orders": lambda: [
        E.ExpectColumnValuesToBeBetween(column="amount", min_value=0),
        E.ExpectColumnValuesToBeInSet(column="status", value_set=["paid", "refunded", "cancelled"]),
    ],
    "raw.surveys": lambda: [
        E.ExpectColumnValuesToBeBetween(column="score", min_value=0, max_value=10),
    ],
    "raw.subscriptions": lambda: [
        E.ExpectColumnPairValuesAToBeGreaterThanB(column_A="period_end_at", column_B="period_start_at"),
    ],
    "raw.marketing_spend": lambda: [
        E.ExpectColumnValuesToBeBetween(column="spend", min_value=0),
    ],
    "raw.raw_load_audit": lambda: [
        E.ExpectColumnValuesToBeUnique(column="load_id"),
        E.ExpectColumnValuesToBeInSet(column="file_status", value_set=["loaded", "quarantined", "duplicate_file"]),
    ],
}

ROWS = {relation: _latest(relation.split(".")[1]) for relation in SUITES if relation != "raw.raw_load_audit"}
