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
