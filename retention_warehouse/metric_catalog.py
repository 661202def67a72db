"""Generate the metric catalog's published forms from its one source of truth, metrics/catalog.yml.

    python -m cli.metric_catalog          # write seeds/metric_catalog.csv and docs/metrics.md
    python -m cli.metric_catalog --check  # exit 1 when either file is out of date

The seed is published as marts.metric_definitions; tests/test_metrics_layer.py runs the check.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from retention_warehouse.settings import REPO_ROOT

CATALOG = REPO_ROOT / "metrics" / "catalog.yml"
SEED = REPO_ROOT / "seeds" / "metric_catalog.csv"
DOC = REPO_ROOT / "docs" / "metrics.md"
FIELDS = (
    "name",
    "label",
    "description",
    "formula",
    "unit",
    "numerator",
    "denominator",
    "grains",
    "breakdowns",
    "source_model",
    "spec",
    "scorecard_grain",
)
LIST_FIELDS = ("grains", "breakdowns")


def load_catalog(path: Path = CATALOG) -> list[dict[str, str]]:
    """The metrics of the catalog, every field a string (lists joined with ', '), in catalog order."""
    metrics = yaml.safe_load(path.read_text(encoding="utf-8"))["metrics"]
    rows = []
    for metric in metrics:
        missing = [field for field in FIELDS if field not in metric]
        if missing:
            raise ValueError(f"metric {metric.get('name')!r} lacks {missing}")
        rows.append(
            {
                field: ", ".join(metric[field]) if field in LIST_FIELDS else str(metric[field]).strip()
                for field in FIELDS
            }
        )
    names = [row["name"] for row in rows]
    if len(names) != len(set(names)):
        raise ValueError("metric names must be unique")
    return rows


def render_seed(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def render_doc(rows: list[dict[str, str]]) -> str:
    lines = [
        "# Metrics",
        "",
        "Generated from `metrics/catalog.yml` by `python -m cli.metric_catalog`: do not edit by hand.",
        "Every metric has rows in `marts.fct_metrics` (long: metric_name, grain, period_start, breakdown_name,",
        "breakdown_value, numerator, denominator, value, ci_low, ci_high, is_mature) and a row in",
        "`marts.metric_definitions`. Rates carry a 95% Wilson interval; immature cells have a NULL value.",
        "",
        "| metric | label | unit | grains | breakdowns | source | spec |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        lines.append(
            f"| [`{row['name']}`](#{row['name']}) | {row['label']} | {row['unit']} | {row['grains']} | "
            f"{row['breakdowns']} | `{row['source_model']}` | {row['spec']} |"
        )
    for row in rows:
        lines += [
            "",
            f"## {row['name']}",
            "",
            f"**{row['label']}.** {row['description']}",
            "",
            f"- formula: `{row['formula']}`",
            f"- numerator: {row['numerator']}; denominator: {row['denominator']}",
            f"- unit: {row['unit']}; grains: {row['grains']}; breakdowns: {row['breakdowns']}",
            f"- source model: `{row['source_model']}`; METRICS.md section {row['spec']}; "
            f"scorecard grain: {row['scorecard_grain']}",
        ]
    return "\n".join(lines) + "\n"


def outputs() -> dict[Path, str]:
    rows = load_catalog()
    return {SEED: render_seed(rows), DOC: render_doc(rows)}


def stale_outputs(write: bool) -> list[Path]:
    """The generated files that differ from what the catalog gives; with write, rewrite them."""
    stale = []
    for path, text in outputs().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(path)
            if write:
                path.write_text(text, encoding="utf-8")
    return stale
