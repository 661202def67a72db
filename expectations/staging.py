"""Staging layer: keys present and unique, reporting dates derived, and no source id left (user keys are hashes)."""

from __future__ import annotations

import great_expectations as gx

E = gx.expectations
USER_KEY = r"^[0-9a-f]{64}$"  # a SHA-256 in hex: never a source id

SUITES = {
    "staging.stg_app__events": lambda: [
        E.ExpectColumnValuesToNotBeNull(column="event_id"),
        E.ExpectColumnValuesToMatchRegex(column="user_key", regex=USER_KEY),
        E.ExpectColumnValuesToNotBeNull(column="event_date"),
        E.ExpectColumnValuesToBeInSet(column="is_active_event", value_set=[True, False]),
    ],
    "staging.stg_app__users": lambda: [
        E.ExpectColumnValuesToBeUnique(column="user_key"),
        E.ExpectColumnValuesToMatchRegex(column="user_key", regex=USER_KEY),
        E.ExpectColumnValuesToNotBeNull(column="signup_date"),
    ],
    "staging.stg_app__orders": lambda: [
        E.ExpectColumnValuesToBeUnique(column="order_id"),
        E.ExpectColumnValuesToMatchRegex(column="user_key", regex=USER_KEY),
    ],
}

# Events: only the latest load's rows (the staging view is a projection of raw, so that covers new data).
ROWS = {
    "staging.stg_app__events": "select event_id, user_key, event_date, is_active_event from staging.stg_app__events "
    "where loaded_at = (select max(loaded_at) from staging.stg_app__events)",
}
