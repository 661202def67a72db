"""The row comparison of `make test-spark` (retention_warehouse/spark_parity.py) on hand-made rows, without
Spark: it must accept rows equal up to order and 1e-9, and report every other difference."""

import datetime as dt
import decimal

from retention_warehouse.spark_parity import compare

COLUMNS = ["grain", "period_start", "users", "rate"]
DUCK = [
    ("day", dt.date(2026, 1, 5), 10, 0.5),
    ("week", dt.date(2026, 1, 5), 12, None),
]


def test_equal_rows_in_another_order_with_tiny_float_noise_match():
    # Spark returns the rows in another order and the rate off by 1e-12.
    spark = [("week", dt.date(2026, 1, 5), 12, None), ("day", dt.date(2026, 1, 5), 10, 0.5 + 1e-12)]
    assert compare("m", COLUMNS, DUCK, spark) is None


def test_decimal_and_float_of_the_same_value_match():
    duck = [("day", dt.date(2026, 1, 5), 10, decimal.Decimal("0.50"))]
    spark = [("day", dt.date(2026, 1, 5), 10, 0.5)]
    assert compare("m", COLUMNS, duck, spark) is None


def test_float_difference_above_tolerance_is_reported():
    spark = [("day", dt.date(2026, 1, 5), 10, 0.5 + 1e-6), ("week", dt.date(2026, 1, 5), 12, None)]
    assert "column rate" in compare("m", COLUMNS, DUCK, spark)


def test_null_is_not_zero():
    spark = [("day", dt.date(2026, 1, 5), 10, 0.5), ("week", dt.date(2026, 1, 5), 12, 0.0)]
    assert "column rate" in compare("m", COLUMNS, DUCK, spark)


def test_missing_row_and_changed_text_are_reported():
    assert "2 rows on DuckDB, 1 on Spark" in compare("m", COLUMNS, DUCK, DUCK[:1])
    spark = [("day", dt.date(2026, 1, 5), 10, 0.5), ("month", dt.date(2026, 1, 5), 12, None)]
    assert compare("m", COLUMNS, DUCK, spark) is not None


def test_date_and_timestamp_differ():
    spark = [("day", dt.datetime(2026, 1, 5, 0, 0), 10, 0.5), ("week", dt.date(2026, 1, 5), 12, None)]
    assert "column period_start" in compare("m", COLUMNS, DUCK, spark)
