"""Real data: the CDNOW log from lifetimes converts to an orders feed that loads with an exact reconciliation."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import yaml

from retention_warehouse.cdnow import SOURCE_ROWS, cdnow_master_path, convert
from retention_warehouse.ingestion import load_landing
from retention_warehouse.settings import REPO_ROOT


def test_cdnow_converts_and_loads_every_row_with_exact_reconciliation(tmp_path):
    source = cdnow_master_path()
    # Independent figures straight from the source text: rows, customers, customer-days, dollars.
    records = [line.split() for line in source.read_text(encoding="ascii").splitlines()[1:] if line.strip()]
    dollars = sum(Decimal(r[3]) for r in records)
    assert len(records) == SOURCE_ROWS == 69_659

    assert convert(tmp_path / "landing") == SOURCE_ROWS
    with duckdb.connect() as conn:
        [load] = load_landing(conn, tmp_path / "landing")
        audit = conn.execute(
            "select rows_read, rows_accepted, rows_quarantined, rows_duplicate, file_status from raw.raw_load_audit"
        ).fetchone()
        orders, customers, customer_days, amount = conn.execute(
            "select count(*), count(distinct user_id), count(distinct (user_id, cast(order_at as date))), sum(amount) "
            "from raw.orders"
        ).fetchone()
        quarantined = conn.execute("select count(*) from raw.raw_quarantine").fetchone()[0]
    assert audit == (69_659, 69_659, 0, 0, "loaded")
    assert load.rows_read == load.rows_accepted + load.rows_quarantined + load.rows_duplicate
    assert quarantined == 0
    assert orders == 69_659  # an order is a source row (docs/real_data.md)
    assert customers == 23_570 == len({r[0] for r in records})
    assert customer_days == 67_591 == len({(r[0], r[1]) for r in records})  # 2,068 rows repeat a customer-day
    assert amount == dollars


def test_cdnow_monthly_purchase_retention_of_its_three_cohorts_matches_the_source(workspace, run_refresh):
    """The whole job on the real log (orders only). Independently, from the source text: a customer's cohort is the
    month of their first purchase (Jan, Feb or Mar 1997); retained in month n = bought in cohort month + n."""
    from collections import defaultdict

    records = [line.split() for line in cdnow_master_path().read_text(encoding="ascii").splitlines()[1:] if line]
    months: dict[str, set[int]] = defaultdict(set)
    for customer, day, *_ in records:
        months[customer].add((int(day[:4]) - 1997) * 12 + int(day[4:6]) - 1)  # months since Jan 1997
    last_month = max(m for bought in months.values() for m in bought)  # June 1998 = 17, the as-of month
    horizon = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())["vars"]["retention_max_periods"]["month"]
    expected = {}
    for cohort in (0, 1, 2):
        members = [bought for bought in months.values() if min(bought) == cohort]
        for n in range(0, horizon + 1):
            if cohort + n <= last_month:  # a month is mature when it has fully elapsed by the last day of data
                expected[(cohort, n)] = (len(members), sum(1 for bought in members if cohort + n in bought))
    assert {size for (c, n), (size, _) in expected.items() if n == 0} == {7846, 8476, 7248}
    assert (0, 17) in expected  # the default horizon (24 months) shows all 18 months of the log

    convert(workspace["landing"])
    assert run_refresh() == 0
    with duckdb.connect(str(workspace["warehouse"] / "published" / "retention.duckdb"), read_only=True) as conn:
        rows = conn.execute(
            "select (year(cohort_start) - 1997) * 12 + month(cohort_start) - 1, period_number, cohort_size, "
            "retained_users from marts.fct_cohort_retention where retention_definition = 'purchase' "
            "and grain = 'month' and breakdown_name = 'all' and retention_type = 'n_period' and is_mature"
        ).fetchall()
    actual = {(c, n): (size, retained) for c, n, size, retained in rows}
    assert actual == expected
