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

# --- Funnels (issue 5; docs/funnels.md) --------------------------------------------------------------------------
SUITES.update(
    {
        "fct_funnel_conversion": lambda: [
            gx.expectations.ExpectColumnValuesToNotBeNull(column="users"),
            gx.expectations.ExpectColumnValuesToBeBetween(column="users", min_value=0),
            gx.expectations.ExpectColumnValuesToBeBetween(column="entry_users", min_value=1),
            gx.expectations.ExpectColumnValuesToBeBetween(column="step_number", min_value=1),
            gx.expectations.ExpectColumnValuesToBeBetween(column="step_conversion_rate", min_value=0, max_value=1),
            gx.expectations.ExpectColumnValuesToBeBetween(column="overall_conversion_rate", min_value=0, max_value=1),
            gx.expectations.ExpectColumnValuesToBeBetween(column="dropoff_users", min_value=0),
            gx.expectations.ExpectColumnValuesToBeBetween(column="median_seconds_from_previous", min_value=0),
            gx.expectations.ExpectColumnValuesToBeBetween(column="ci_low", min_value=0, max_value=1),
            gx.expectations.ExpectColumnValuesToBeBetween(column="ci_high", min_value=0, max_value=1),
            gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="entry_users", column_B="users", or_equal=True
            ),
        ],
        "fct_funnel_user_progress": lambda: [
            gx.expectations.ExpectColumnValuesToNotBeNull(column="reached_at"),
            gx.expectations.ExpectColumnValuesToBeBetween(column="seconds_from_previous", min_value=0),
            gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="furthest_step", column_B="step_number", or_equal=True
            ),
        ],
    }
)
# --- end of funnels ----------------------------------------------------------------------------------------------
