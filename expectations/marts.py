"""Mart invariants: what must hold in every published mart, whatever the data."""

from __future__ import annotations

import great_expectations as gx

SUITES = {
    "fct_cohort_retention": lambda: [
        gx.expectations.ExpectColumnValuesToBeBetween(column="retention_rate", min_value=0, max_value=1),
        gx.expectations.ExpectColumnValuesToBeBetween(column="cohort_size", min_value=1),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="cohort_size"),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="is_mature"),
    ],
}

# --- Segments (issue 6): activity states, tiers, lifecycle, recall ---------------------------------------------
SUITES.update(
    {
        "dim_user_segments": lambda: [
            gx.expectations.ExpectColumnValuesToBeUnique(column="user_key"),
            gx.expectations.ExpectColumnValuesToBeInSet(
                column="activity_state", value_set=["active", "silent", "churned", "resurrected"]
            ),
            gx.expectations.ExpectColumnValuesToBeInSet(
                column="engagement_tier", value_set=["base", "active", "koc", "kol"]
            ),
            gx.expectations.ExpectColumnValuesToBeBetween(column="days_since_active", min_value=0),
        ],
        "fct_lifecycle": lambda: [
            gx.expectations.ExpectColumnValuesToBeBetween(column=column, min_value=0)
            for column in ("active_users", "new_users", "returning_users", "resurrecting_users", "dormant_users")
        ],
        "fct_recall": lambda: [
            gx.expectations.ExpectColumnValuesToBeBetween(column="recall_rate", min_value=0, max_value=1),
            gx.expectations.ExpectColumnValuesToBeBetween(column="avg_active_spell_days", min_value=0),
        ],
        "fct_segment_summary": lambda: [
            gx.expectations.ExpectColumnValuesToBeBetween(column="user_share", min_value=0, max_value=1),
            gx.expectations.ExpectColumnValuesToBeBetween(column="retention_rate", min_value=0, max_value=1),
        ],
    }
)
