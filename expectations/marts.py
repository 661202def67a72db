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

# --- issue 4: cohort marts (intervals, summary, curve, LTV) ---
_cohort_retention_base = SUITES["fct_cohort_retention"]
SUITES["fct_cohort_retention"] = lambda: [
    *_cohort_retention_base(),
    gx.expectations.ExpectColumnValuesToBeBetween(column="ci_low", min_value=0, max_value=1),
    gx.expectations.ExpectColumnValuesToBeBetween(column="ci_high", min_value=0, max_value=1),
    gx.expectations.ExpectColumnValuesToBeInSet(column="cohort_grain", value_set=["day", "week", "month"]),
    gx.expectations.ExpectColumnValuesToBeInSet(column="cohort_type", value_set=["first_time", "recurring"]),
]
SUITES["fct_cohort_summary"] = lambda: (
    [
        gx.expectations.ExpectColumnValuesToBeBetween(column=f"d{day}_retention_rate", min_value=0, max_value=1)
        for day in (1, 7, 30, 90)
    ]
    + [gx.expectations.ExpectColumnValuesToBeBetween(column="cohort_size", min_value=1)]
)
SUITES["fct_retention_curve"] = lambda: [
    gx.expectations.ExpectColumnValuesToBeBetween(column="retention_rate", min_value=0, max_value=1),
    gx.expectations.ExpectColumnValuesToNotBeNull(column="retention_rate"),
    gx.expectations.ExpectColumnValuesToBeBetween(column="mature_cohorts", min_value=1),
]
SUITES["fct_cohort_ltv"] = lambda: [
    gx.expectations.ExpectColumnValuesToBeBetween(column="ltv_per_user", min_value=0),
    gx.expectations.ExpectColumnValuesToBeBetween(column="cohort_size", min_value=1),
    gx.expectations.ExpectColumnValuesToNotBeNull(column="cumulative_net_revenue"),
]
# --- end of issue 4 block ---
