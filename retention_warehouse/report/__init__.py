"""The HTML report: one self-contained page (inline CSS and SVG, no scripts, no network) of the headline charts.

SQL in the marts computes every number; this module only reads them (read-only, short-lived connection), turns
them into chart geometry and renders templates/report.html.j2 with autoescaping on, so a channel or event name
holding markup shows as text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape

from retention_warehouse.publish import write_atomically
from retention_warehouse.report import charts
from retention_warehouse.report.experiments import experiments_section

TEMPLATES = Path(__file__).parent / "templates"
DATA_DOCS_INDEX = "quality/index.html"  # the Data Docs of the same publication, beside the report


def _rows(conn: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = conn.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "rate":
        return f"{value:.1%}"
    if unit == "ratio":
        return f"{value:.2f}"
    return f"{value:,.0f}"  # count, currency, days, score


def kpi_section(conn: duckdb.DuckDBPyConnection) -> dict:
    """Headline KPIs against their targets: the metrics layer's scorecard (latest period with a value per metric),
    each formatted by its unit in the metric catalog (marts.metric_definitions)."""
    units = dict(conn.execute("select metric_name, unit from marts.metric_definitions").fetchall())
    rows = _rows(
        conn,
        """
        with ranked as (
            select *, row_number() over (partition by metric_name, segment order by period_start desc) as recency
            from marts.fct_kpi_scorecard
            where actual is not null and is_mature
        )
        select metric_name, segment, grain, cast(period_start as varchar) as period_start, actual, target_value,
               status
        from ranked where recency = 1 order by metric_name, segment
        """,
    )
    tiles = []
    for r in rows:
        unit = units[r["metric_name"]]
        label = r["metric_name"].replace("_", " ")
        if r["segment"] != "all":
            label += f" ({r['segment']})"
        tiles.append(
            {
                "label": label,
                "display": _fmt(r["actual"], unit),
                "target": _fmt(r["target_value"], unit),
                "status": {"met": "met", "missed": "below"}.get(r["status"], "none"),
                "detail": f"{r['grain']} from {r['period_start']}",
            }
        )
    return {"tiles": tiles}


def heatmap_section(conn: duckdb.DuckDBPyConnection) -> dict:
    """The retention triangle: the latest cohorts by their grain, periods 0..N, immature cells grey."""
    grains = {g for (g,) in conn.execute("select distinct grain from marts.fct_cohort_retention").fetchall()}
    grain, cohorts, periods = ("week", 16, 12) if "week" in grains else ("day", 30, 30)
    rows = _rows(
        conn,
        """
        with recent as (
            select distinct cohort_start from marts.fct_cohort_retention
            where grain = ? and retention_definition = 'activity' order by cohort_start desc limit ?
        )
        select cast(cohort_start as varchar) as cohort, period_number, retention_rate, cohort_size
        from marts.fct_cohort_retention
        where grain = ? and retention_definition = 'activity' and breakdown_name = 'all'
          and retention_type = 'n_period' and period_number <= ? and cohort_start in (select * from recent)
        order by cohort_start, period_number
        """,
        [grain, cohorts, grain, periods],
    )
    cohort_labels = sorted({r["cohort"] for r in rows})
    sizes = {r["cohort"]: r["cohort_size"] for r in rows}
    values = {(r["cohort"], str(r["period_number"])): r["retention_rate"] for r in rows}
    chart = charts.heatmap(
        [f"{c} (n={sizes[c]:,})" for c in cohort_labels],
        [str(p) for p in range(periods + 1)],
        {(f"{c} (n={sizes[c]:,})", p): v for (c, p), v in values.items()},
    )
    return {"grain": grain, "chart": chart}


def curves_section(conn: duckdb.DuckDBPyConnection) -> dict:
    """Weighted retention curves with 95% Wilson intervals (marts.fct_retention_curve): one small chart per
    acquisition channel, all users in grey behind each."""
    rows = _rows(
        conn,
        """
        select breakdown_name, breakdown_value as series, period_number as x, retention_rate as y, ci_low, ci_high
        from marts.fct_retention_curve
        where retention_definition = 'activity' and grain = 'day' and retention_type = 'n_period'
          and breakdown_name in ('all', 'acquisition_channel') and period_number between 1 and 30
          and retention_rate is not null
        order by 1, 2, 3
        """,
    )
    overall = [(r["x"], r["y"]) for r in rows if r["breakdown_name"] == "all"]
    panels: dict[str, dict[str, list]] = {}
    for r in rows:
        if r["breakdown_name"] == "acquisition_channel":
            panel = panels.setdefault(str(r["series"]), {"all users": overall} if overall else {})
            panel.setdefault(str(r["series"]), []).append((r["x"], r["y"], r["ci_low"], r["ci_high"]))
    return {
        "breakdown": "acquisition channel",
        "charts": charts.small_multiples(panels, unit="rate", reference_series=("all users",)),
    }


def engagement_section(conn: duckdb.DuckDBPyConnection) -> dict:
    """DAU, WAU and MAU per day and stickiness (DAU / MAU), from the first day with a full 30-day MAU window
    (marts.fct_engagement_daily; earlier MAU counts only part of the window)."""
    rows = _rows(
        conn,
        "select activity_date, dau, wau, mau, stickiness from marts.fct_engagement_daily "
        "where is_full_mau_window order by activity_date",
    )
    users = {name.upper(): [(r["activity_date"], r[name]) for r in rows] for name in ("mau", "wau", "dau")}
    stickiness = {"DAU / MAU": [(r["activity_date"], r["stickiness"]) for r in rows if r["stickiness"] is not None]}
    return {
        "days": len(rows),
        "users_chart": charts.line_chart(users, unit="count") if rows else None,
        "stickiness_chart": charts.line_chart(stickiness, unit="rate1", height=200) if rows else None,
    }


def monetisation_section(conn: duckdb.DuckDBPyConnection) -> dict:
    """GMV and ARPU per complete week (marts.fct_monetization)."""
    rows = _rows(
        conn,
        "select period_start, gmv, arpu, arppu, paying_rate from marts.fct_monetization "
        "where grain = 'week' and is_complete_period order by period_start",
    )
    periods = [r["period_start"] for r in rows]
    return {
        "weeks": len(rows),
        "gmv_chart": charts.column_chart(periods, [r["gmv"] for r in rows]) if rows else None,
        "per_user_charts": charts.panels(
            {
                "ARPU (GMV per active user)": {"ARPU": [(r["period_start"], r["arpu"]) for r in rows]},
                "ARPPU (GMV per buyer)": {"ARPPU": [(r["period_start"], r["arppu"]) for r in rows if r["arppu"]]},
                "paying rate (buyers per active user)": {
                    "paying": [(r["period_start"], r["paying_rate"]) for r in rows]
                },
            },
            units={
                "ARPU (GMV per active user)": "money",
                "ARPPU (GMV per buyer)": "money",
                "paying rate (buyers per active user)": "rate1",
            },
        )
        if rows
        else [],
    }


def ltv_section(conn: duckdb.DuckDBPyConnection) -> dict:
    """Observed LTV per user by day since signup (marts.fct_cohort_ltv), one chart per acquisition channel with its
    CAC as a dashed line; and per channel CAC, LTV/CAC and payback over the weekly signup cohorts
    (marts.fct_acquisition). Each step of a curve adds the revenue per user that the daily cohorts mature at its
    day earned since the previous day of the curve: every mature cohort counts, and the curve never falls because
    fewer (older) cohorts reach the later days."""
    curves = _rows(
        conn,
        """
        with cells as (
            select breakdown_name, breakdown_value, days_since_signup, cohort_size,
                   cumulative_net_revenue - coalesce(lag(cumulative_net_revenue) over (
                       partition by breakdown_name, breakdown_value, cohort_start order by days_since_signup
                   ), 0) as added_revenue
            from marts.fct_cohort_ltv
            where grain = 'day' and breakdown_name in ('all', 'acquisition_channel')
        ),
        steps as (
            select breakdown_name, breakdown_value, days_since_signup, sum(added_revenue) / sum(cohort_size) as added
            from cells group by 1, 2, 3 having sum(cohort_size) > 0
        )
        select breakdown_name, breakdown_value, days_since_signup as x,
               sum(added) over (partition by breakdown_name, breakdown_value order by days_since_signup) as y
        from steps
        order by 1, 2, 3
        """,
    )
    channels = _rows(
        conn,
        """
        select acquisition_channel as channel,
               sum(new_users) as new_users,
               sum(spend) as spend,
               sum(spend) filter (where cac is not null) / nullif(sum(new_users) filter (where cac is not null), 0)
                   as cac,
               sum(ltv_30d * new_users) / nullif(sum(new_users) filter (where ltv_30d is not null), 0) as ltv_30d,
               count(*) filter (where cac is not null) as cohorts_with_cac,
               count(payback_days) as cohorts_paid_back,
               median(payback_days) as median_payback_days
        from marts.fct_acquisition
        where grain = 'week'
        group by 1
        order by 1
        """,
    )
    cac = {r["channel"]: r["cac"] for r in channels}
    overall = [(r["x"], r["y"]) for r in curves if r["breakdown_name"] == "all"]
    panels: dict[str, dict[str, list]] = {}
    for r in curves:
        if r["breakdown_name"] == "acquisition_channel":
            panel = panels.setdefault(r["breakdown_value"], {"all users": overall} if overall else {})
            panel.setdefault(r["breakdown_value"], []).append((r["x"], r["y"]))
    references = {name: {"CAC": cac[name]} for name in panels if cac.get(name) is not None}
    table = [
        {
            "channel": r["channel"],
            "new_users": f"{r['new_users']:,}",
            "spend": f"{r['spend']:,.0f}",
            "cac": "no spend" if r["cac"] is None else f"{r['cac']:,.2f}",
            "ltv_30d": "n/a" if r["ltv_30d"] is None else f"{r['ltv_30d']:,.2f}",
            "ltv_to_cac": "n/a" if r["cac"] is None or r["ltv_30d"] is None else f"{r['ltv_30d'] / r['cac']:.2f}",
            "payback": "n/a"
            if r["cohorts_with_cac"] == 0
            else f"{r['cohorts_paid_back']} of {r['cohorts_with_cac']}"
            + ("" if r["median_payback_days"] is None else f" (median {r['median_payback_days']:.0f} days)"),
        }
        for r in channels
    ]
    return {
        "charts": charts.small_multiples(panels, unit="money", references=references, reference_series=("all users",)),
        "channels": table,
    }


def funnel_section(conn: duckdb.DuckDBPyConnection) -> dict:
    rows = _rows(
        conn,
        """
        select funnel_name, step_number, step_name, users, overall_conversion_rate, step_conversion_rate
        from marts.fct_funnel_conversion
        where period_start is null and breakdown_name = 'all'
        order by funnel_name, step_number
        """,
    )
    funnels: dict[str, list] = {}
    for r in rows:
        caption = f"{r['users']:,} users"
        if r["step_number"] > 1 and r["step_conversion_rate"] is not None:
            caption += f" ({r['step_conversion_rate']:.0%} of previous)"
        funnels.setdefault(r["funnel_name"], []).append((f"{r['step_number']}. {r['step_name']}", r["users"], caption))
    return {"funnels": [{"name": name, "chart": charts.horizontal_bars(items)} for name, items in funnels.items()]}


def segments_section(conn: duckdb.DuckDBPyConnection) -> dict:
    blocks = []
    for dimension in ("engagement_tier", "activity_state", "tenure_stage", "value_tier", "rfm_segment"):
        rows = conn.execute(
            f"select coalesce(cast({dimension} as varchar), 'none'), count(*) from marts.dim_user_segments "
            "group by 1 order by 2 desc"
        ).fetchall()
        total = sum(n for _, n in rows) or 1
        items = [(str(value), n, f"{n:,} ({n / total:.0%})") for value, n in rows]
        blocks.append({"dimension": dimension.replace("_", " "), "chart": charts.horizontal_bars(items)})
    return {"blocks": blocks}


TRANSITION_DIMENSIONS = ("activity_state", "engagement_tier", "value_tier", "rfm_segment")


def transitions_section(conn: duckdb.DuckDBPyConnection) -> dict:
    """The latest weekly segment transition matrix per dimension (marts.fct_segment_transitions): each row is
    where the users of one value at the previous week end are at this week end (a row sums to 100%)."""
    matrices = []
    for dimension in TRANSITION_DIMENSIONS:
        rows = _rows(
            conn,
            """
            select previous_period_end, period_end, from_value, to_value, users, from_users, transition_rate
            from marts.fct_segment_transitions
            where grain = 'week' and segment_dimension = ?
              and period_end = (select max(period_end) from marts.fct_segment_transitions
                                where grain = 'week' and segment_dimension = ?)
            """,
            [dimension, dimension],
        )
        if not rows:
            continue
        size: dict[str, int] = {}
        for r in rows:
            size[r["from_value"]] = r["from_users"]
            size.setdefault(r["to_value"], 0)
        values = sorted(size, key=lambda v: (-size[v], v))
        chart = charts.heatmap(
            [f"{v} (n={size[v]:,})" for v in values],
            values,
            {(f"{r['from_value']} (n={size[r['from_value']]:,})", r["to_value"]): r["transition_rate"] for r in rows},
            skip_first_column_in_scale=False,
            max_cell_w=110,
            column_title="to (this week end)",
            row_title="from (previous week end)",
        )
        matrices.append(
            {
                "dimension": dimension.replace("_", " "),
                "previous": rows[0]["previous_period_end"],
                "current": rows[0]["period_end"],
                "chart": chart,
            }
        )
    return {"matrices": matrices}


def nps_section(conn: duckdb.DuckDBPyConnection) -> dict:
    """NPS per complete week (marts.fct_nps; weeks without responses have no point)."""
    rows = _rows(
        conn,
        "select period_start, responses, nps from marts.fct_nps where grain = 'week' and is_complete_period "
        "order by period_start",
    )
    return {
        "responses": sum(r["responses"] for r in rows),
        "weeks": len(rows),
        "chart": charts.line_chart(
            {"NPS": [(r["period_start"], r["nps"]) for r in rows]}, unit="score", height=220, y_range=(-100, 100)
        )
        if rows
        else None,
    }


def lifecycle_section(conn: duckdb.DuckDBPyConnection) -> dict:
    rows = _rows(
        conn,
        """
        select cast(period_start as varchar) as period, new_users, returning_users, resurrecting_users,
               dormant_users
        from marts.fct_lifecycle where grain = 'week' and is_complete order by period_start
        """,
    )
    periods = [r["period"] for r in rows]
    parts = {
        "new": [r["new_users"] for r in rows],
        "returning": [r["returning_users"] for r in rows],
        "resurrecting": [r["resurrecting_users"] for r in rows],
        "dormant": [abs(r["dormant_users"]) for r in rows],
    }
    return {"chart": charts.stacked_bars(periods, parts, negative=("dormant",)) if rows else None}


AT_RISK_CSV = "at_risk_users.csv"
AT_RISK_SHOWN = 25
AT_RISK_COLUMNS = (
    "user_key",
    "at_risk_date",
    "at_risk_reason",
    "value_tier",
    "rfm_segment",
    "trailing_365d_spend",
    "last_active_date",
    "recent_active_days",
    "baseline_active_days",
    "recent_interactions",
    "baseline_interactions",
)


def at_risk_users(conn: duckdb.DuckDBPyConnection, limit: int | None = None) -> list[dict]:
    """The users at risk on the latest warning day, highest value first (trailing 365-day spend, then baseline
    activity), with their last active day (marts.dim_user_segments). Pseudonymous user keys only."""
    columns = ", ".join(f"a.{c}" for c in AT_RISK_COLUMNS if c != "last_active_date")
    return _rows(
        conn,
        f"""
        select {columns}, s.last_active_date
        from marts.fct_at_risk_users as a
        left join marts.dim_user_segments as s on s.user_key = a.user_key
        where a.at_risk_date = (select max(at_risk_date) from marts.fct_at_risk_users)
        order by a.trailing_365d_spend desc nulls last, a.baseline_active_days desc, a.user_key
        {"" if limit is None else f"limit {int(limit)}"}
        """,
    )


def at_risk_section(conn: duckdb.DuckDBPyConnection) -> dict:
    day = conn.execute("select max(at_risk_date) from marts.fct_at_risk_users").fetchone()[0]
    reasons = conn.execute(
        "select at_risk_reason, count(*) from marts.fct_at_risk_users where at_risk_date = ? "
        "group by 1 order by 2 desc",
        [day],
    ).fetchall()
    total = sum(n for _, n in reasons)
    items = [(reason, n, f"{n:,} ({n / total:.0%})") for reason, n in reasons]
    return {
        "day": day,
        "total": total,
        "reasons_chart": charts.horizontal_bars(items) if items else None,
        "users": at_risk_users(conn, AT_RISK_SHOWN),
        "csv": AT_RISK_CSV,
    }


SECTIONS: list[tuple[str, str, Callable]] = [
    ("kpis", "KPIs against targets", kpi_section),
    ("engagement", "Active users and stickiness", engagement_section),
    ("monetisation", "GMV and ARPU", monetisation_section),
    ("retention-heatmap", "Cohort retention", heatmap_section),
    ("retention-curves", "Retention curves", curves_section),
    ("ltv", "LTV, CAC and payback by channel", ltv_section),
    ("funnels", "Funnels", funnel_section),
    ("lifecycle", "Lifecycle", lifecycle_section),
    ("segments", "Segments and tiers", segments_section),
    ("transitions", "Segment transitions", transitions_section),
    ("nps", "NPS", nps_section),
    ("at-risk", "At-risk users", at_risk_section),
    ("experiments", "Experiments", experiments_section),
]


def build_context(db_path: Path, manifest_path: Path | None) -> dict:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path and manifest_path.exists() else {}
    with duckdb.connect(str(db_path), read_only=True) as conn:
        sections = [{"id": section_id, "title": title, "data": build(conn)} for section_id, title, build in SECTIONS]
    return {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "manifest": manifest,
        "quality": manifest.get("data_quality", {}),
        "sections": sections,
        "data_docs": DATA_DOCS_INDEX,
    }


def write_at_risk_csv(db_path: Path, out_path: Path) -> Path:
    """Every user at risk on the latest warning day, as `render_report` ranks them, into a CSV file."""
    with duckdb.connect(str(db_path), read_only=True) as conn:
        users = at_risk_users(conn)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=AT_RISK_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(users)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(out_path, buffer.getvalue())
    return out_path


def render_report(db_path: Path, manifest_path: Path | None, out_path: Path) -> Path:
    """The report page at `out_path` and, beside it, the whole at-risk list (AT_RISK_CSV) it links to."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    html = environment.get_template("report.html.j2").render(**build_context(db_path, manifest_path))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    write_at_risk_csv(db_path, out_path.with_name(AT_RISK_CSV))
    write_atomically(out_path, html)
    return out_path
