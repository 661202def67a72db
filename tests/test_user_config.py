"""The user's warehouse.yml overrides dbt vars with no edit of the project: the marts follow it, and a wrong key or
value stops the run with a line naming it."""

from __future__ import annotations

import duckdb
import pytest

from retention_warehouse.user_config import ConfigError, dbt_vars_args, parse_vars
from tests.test_end_to_end import write_hand_made_landing

OWN_CONFIG = """\
# The shop reports in dollars, follows one funnel of its own and one more retention definition (the headline
# metrics read the `activity` definition).
default_currency: USD
retention_definitions:
  - {name: activity, cohort_type: first_time, start_events: signup, return_events: active}
  - {name: opened_app, cohort_type: first_time, start_events: signup, return_events: [app_open]}
funnels:
  - name: open_then_like
    mode: ordered
    window_seconds: 604800
    steps:
      - {name: opened, events: [app_open]}
      - {name: liked, events: [like]}
"""


def test_a_key_that_is_not_a_var_is_named_with_the_closest_var():
    with pytest.raises(
        ConfigError, match=r"warehouse.yml: key 'funels' is not a var of the project; did you mean funnels"
    ):
        parse_vars("funels: []\n", "warehouse.yml")


def test_a_file_that_is_not_a_mapping_or_not_yaml_is_named():
    with pytest.raises(ConfigError, match=r"w.yml: expected a mapping of dbt var names to values, found list"):
        parse_vars("- default_currency\n", "w.yml")
    with pytest.raises(ConfigError, match=r"w.yml: not valid YAML \(line 3, column 1\)"):
        parse_vars("default_currency: USD\nfunnels: [\n", "w.yml")


def test_vars_reach_dbt_as_json_and_nothing_is_passed_without_them():
    assert dbt_vars_args({}) == []
    assert dbt_vars_args({"default_currency": "USD"}) == ["--vars", '{"default_currency": "USD"}']


def test_the_marts_follow_the_users_own_configuration(workspace, run_refresh):
    write_hand_made_landing(workspace["landing"])
    (workspace["landing"] / "orders").mkdir()
    (workspace["landing"] / "orders" / "orders.csv").write_text(
        "order_id,user_id,order_time,amount,status\no1,alice,2026-03-03T11:00:00Z,20.0,paid\n", encoding="utf-8"
    )
    (workspace["landing"].parent / "warehouse.yml").write_text(OWN_CONFIG, encoding="utf-8")
    assert run_refresh() == 0

    with duckdb.connect(str(workspace["warehouse"] / "work" / "retention.duckdb"), read_only=True) as conn:
        assert conn.execute("select distinct currency from staging.stg_app__orders").fetchall() == [("USD",)]
        definitions = conn.execute(
            "select distinct retention_definition from marts.fct_cohort_retention order by 1"
        ).fetchall()
        # By hand: the 2026-03-02 cohort is alice and bob; bob opens the app again on Mar 4 (D2), alice on Mar 5.
        d2 = conn.execute(
            "select cohort_size, retained_users from marts.fct_cohort_retention where grain = 'day' "
            "and retention_definition = 'opened_app' "
            "and cohort_start = date '2026-03-02' and breakdown_name = 'all' and retention_type = 'n_period' "
            "and period_number = 2"
        ).fetchall()
        # alice, bob and carol open the app; only alice likes afterwards (Mar 3).
        steps = conn.execute(
            "select step_number, users from marts.fct_funnel_conversion where funnel_name = 'open_then_like' "
            "and grain = 'all' and breakdown_name = 'all' order by step_number"
        ).fetchall()
        funnels = conn.execute("select distinct funnel_name from marts.fct_funnel_conversion").fetchall()
    assert definitions == [("activity",), ("opened_app",)]
    assert d2 == [(2, 1)]
    assert funnels == [("open_then_like",)]
    assert steps == [(1, 3), (2, 1)]


def test_a_wrong_value_in_the_users_configuration_stops_the_run_naming_it(workspace, run_refresh, capfd):
    write_hand_made_landing(workspace["landing"])
    (workspace["landing"].parent / "warehouse.yml").write_text(
        "funnels: [{name: f, mode: sideways, window_seconds: 60, steps: [{name: a, events: [app_open]}]}]\n",
        encoding="utf-8",
    )
    assert run_refresh() == 1
    assert "config_check: var funnels[0].mode is 'sideways'; expected one of ordered, strict, unordered" in (
        capfd.readouterr().out
    )
