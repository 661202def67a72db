"""The HTML report: one self-contained page (inline CSS and SVG, no scripts, no network) of the headline charts.

SQL in the marts computes every number; this module only reads them (read-only, short-lived connection), turns
them into chart geometry and renders templates/report.html.j2 with autoescaping on, so a channel or event name
holding markup shows as text.
"""

from __future__ import annotations

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
    """Weighted retention curves by acquisition channel with 95% Wilson intervals (marts.fct_retention_curve)."""
    rows = _rows(
        conn,
        """
        select breakdown_value as series, period_number as x, retention_rate as y, ci_low, ci_high
        from marts.fct_retention_curve
        where retention_definition = 'activity' and grain = 'day' and retention_type = 'n_period'
          and breakdown_name = 'acquisition_channel' and period_number between 1 and 30
          and retention_rate is not null
        order by 1, 2
        """,
    )
    series: dict[str, list] = {}
    for r in rows:
        series.setdefault(str(r["series"]), []).append((r["x"], r["y"], r["ci_low"], r["ci_high"]))
    return {"breakdown": "acquisition channel", "chart": charts.line_chart(series)}


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
    return {"chart": charts.stacked_bars(periods, parts, negative=("dormant",))}


def at_risk_section(conn: duckdb.DuckDBPyConnection) -> dict:
    day = conn.execute("select max(at_risk_date) from marts.fct_at_risk_users").fetchone()[0]
    reasons = conn.execute(
        "select at_risk_reason, count(*) from marts.fct_at_risk_users where at_risk_date = ? "
        "group by 1 order by 2 desc",
        [day],
    ).fetchall()
    return {"day": day, "total": sum(n for _, n in reasons), "reasons": reasons}


SECTIONS: list[tuple[str, str, Callable]] = [
    ("kpis", "KPIs against targets", kpi_section),
    ("retention-heatmap", "Cohort retention", heatmap_section),
    ("retention-curves", "Retention curves", curves_section),
    ("funnels", "Funnels", funnel_section),
    ("segments", "Segments and tiers", segments_section),
    ("lifecycle", "Lifecycle", lifecycle_section),
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
    }


def render_report(db_path: Path, manifest_path: Path | None, out_path: Path) -> Path:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    html = environment.get_template("report.html.j2").render(**build_context(db_path, manifest_path))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(out_path, html)
    return out_path
