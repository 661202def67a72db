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

# --- Cohort marts (intervals, summary, curve, LTV) ---
_cohort_retention_base = SUITES["fct_cohort_retention"]
SUITES["fct_cohort_retention"] = lambda: [
    *_cohort_retention_base(),
    gx.expectations.ExpectColumnValuesToBeBetween(column="ci_low", min_value=0, max_value=1),
    gx.expectations.ExpectColumnValuesToBeBetween(column="ci_high", min_value=0, max_value=1),
    gx.expectations.ExpectColumnValuesToBeInSet(column="grain", value_set=["day", "week", "month"]),
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

# --- Funnels (docs/funnels.md) -----------------------------------------------------------------------------------
SUITES.update(
    {
        "fct_funnel_conversion": lambda: [
            gx.expectations.ExpectColumnValuesToNotBeNull(column="users"),
            gx.expectations.ExpectColumnValuesToBeBetween(column="users", min_value=0),
            gx.expectations.ExpectColumnValuesToBeBetween(column="entry_users", min_value=0),  # 0: nobody entered
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

# --- Segments: activity states, tiers, lifecycle, recall -------------------------------------------------------
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
