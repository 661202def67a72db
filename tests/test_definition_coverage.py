"""Defaults that say when they do not fit: on data with none of the default event names the run completes, warns
about each funnel and retention definition that matches nothing, naming what it waited for, and the empty funnels
are published with 0 users."""

from __future__ import annotations

import json

import duckdb
import yaml

from orchestration.checks.quality import unmatched_definitions
from retention_warehouse.settings import REPO_ROOT

# A puzzle game: none of these names is in the project's event sets, funnels or retention definitions.
GAME_EVENTS = """\
event_id,user_id,event_name,event_time
g1,ann,level_started,2026-03-02T09:00:00Z
g2,ann,level_completed,2026-03-02T09:10:00Z
g3,ben,level_started,2026-03-02T12:00:00Z
g4,ann,level_started,2026-03-03T08:00:00Z
g5,ben,match_played,2026-03-04T19:00:00Z
"""


def test_a_part_that_matches_nothing_is_named_with_what_it_waited_for():
    rows = [
        ("funnel", "shop", "paid", "events: order_paid", 0, None),
        ("funnel", "pay", "held constant: properties.checkout_id", "the step events (a, b) carrying x", 9, 0.0),
        ("retention_definition", "gaming", "start_events", "events: level_up", 0, None),
    ]
    assert unmatched_definitions(rows) == [
        "funnel shop: paid matched no event; it waits for events: order_paid",
        "funnel pay: held constant: properties.checkout_id is on none of step events (a, b) carrying x",
        "retention definition gaming: start_events matched no event; it waits for events: level_up",
    ]


def test_a_run_on_other_event_names_completes_and_warns_about_each_empty_definition(workspace, run_refresh, capfd):
    (workspace["landing"] / "events").mkdir()
    (workspace["landing"] / "events" / "game.csv").write_text(GAME_EVENTS, encoding="utf-8")
    assert run_refresh() == 0
    out = capfd.readouterr().out
    # The terminal gets the short view (Dagster's and dbt's logs go to the run's log file).
    assert len(out.splitlines()) < 40, out
    assert "dagster - INFO" not in out and "START sql table model" not in out

    project = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    manifest = json.loads((workspace["warehouse"] / "published" / "manifest.json").read_text(encoding="utf-8"))
    [warning] = [w for w in manifest["data_quality"]["warnings"] if "definitions_match_events" in w]
    assert manifest["data_quality"]["status"] == "warn"
    # Every default funnel waits for events this game never sends (only the signup milestone exists for everyone).
    for funnel in project["funnels"]:
        assert f"funnel {funnel['name']}: " in warning, funnel["name"]
    assert "funnel payment: payment_succeeded matched no event; it waits for events: payment_succeeded" in warning
    assert "funnel ecommerce_path: awareness matched no event; it waits for events: content_view" in warning
    assert "funnel community_lifecycle: signup" not in warning  # every user has a signup
    # purchase waits for order_paid, core_action for the interaction events; activity takes every active event.
    assert "retention definition purchase: return_events matched no event; it waits for events: order_paid" in warning
    assert "retention definition core_action: start_events matched no event; it waits for interaction_events: " in (
        warning
    )
    assert "retention definition activity" not in warning
    assert f"\n  ! {warning}\n" in out  # the run's summary lists it with its figure

    with duckdb.connect(str(workspace["warehouse"] / "published" / "retention.duckdb"), read_only=True) as conn:
        payment = conn.execute(
            "select grain, breakdown_name, step_number, users, entry_users, overall_conversion_rate "
            "from marts.fct_funnel_conversion where funnel_name = 'payment' order by step_number"
        ).fetchall()
    assert payment == [("all", "all", step, 0, 0, None) for step in (1, 2, 3, 4)]
