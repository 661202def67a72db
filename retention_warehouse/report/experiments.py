"""The report's experiments section: per experiment, each variant's value, lift, interval and p-value, and the
sample ratio mismatch flag (marts.fct_experiment_results)."""

from __future__ import annotations

import duckdb


def _value(value: float | None, kind: str) -> str:
    if value is None:
        return "immature"
    return f"{value:.1%}" if kind == "proportion" else f"{value:,.2f}"


def experiments_section(conn: duckdb.DuckDBPyConnection) -> dict | None:
    published = conn.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'fct_experiment_results'"
    ).fetchone()[0]
    if not published:
        return None
    rows = conn.execute(
        """
        select experiment_name, variant_name, is_control, metric_name, metric_kind, users, metric_value,
               absolute_lift, relative_lift, difference_ci_low, difference_ci_high, p_value, is_significant,
               srm_p_value, has_sample_ratio_mismatch
        from marts.fct_experiment_results
        order by experiment_name, metric_name, is_control desc, variant_name
        """
    ).fetchall()
    experiments: dict[str, dict] = {}
    for row in rows:
        (experiment, variant, is_control, metric, kind, users, value, lift, relative, low, high, p, significant) = row[
            :13
        ]
        entry = experiments.setdefault(experiment, {"name": experiment, "srm_p": row[13], "srm": row[14], "rows": []})
        scale = (lambda x: f"{x * 100:+.1f} pp") if kind == "proportion" else (lambda x: f"{x:+,.2f}")
        entry["rows"].append(
            {
                "metric": metric,
                "variant": f"{variant} (control)" if is_control and variant != "control" else variant,
                "users": users,
                "value": _value(value, kind),
                "lift": "" if lift is None else scale(lift) + ("" if relative is None else f" ({relative:+.1%})"),
                "interval": "" if low is None else f"[{scale(low)}, {scale(high)}]",
                "p": "" if p is None else f"{p:.2g}",
                "significant": bool(significant),
            }
        )
    return {"experiments": list(experiments.values())} if experiments else None
