"""The Superset dashboard bundle (retention_warehouse/superset/dashboard/) is a complete export: every reference
resolves, every column a chart uses exists in its dataset, and the ZIP names the published file read-only.
`make test-superset` imports it into a running Superset; this checks the files without one."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import duckdb
import pytest
import yaml

from retention_warehouse.settings import REPO_ROOT

BUNDLE = REPO_ROOT / "retention_warehouse" / "superset" / "dashboard"


def _bundle_module():
    spec = importlib.util.spec_from_file_location(
        "superset_bundle", REPO_ROOT / "retention_warehouse" / "superset" / "bundle.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load(folder: str) -> list[dict]:
    return [yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted((BUNDLE / folder).rglob("*.yaml"))]


def test_every_reference_of_the_bundle_resolves():
    [database] = _load("databases")
    datasets = {d["uuid"]: d for d in _load("datasets")}
    charts = {c["uuid"]: c for c in _load("charts")}
    [dashboard] = _load("dashboards")
    assert {d["database_uuid"] for d in datasets.values()} == {database["uuid"]}
    assert {c["dataset_uuid"] for c in charts.values()} <= set(datasets)
    nodes = [node for node in dashboard["position"].values() if isinstance(node, dict)]
    placed = [node["meta"]["uuid"] for node in nodes if node["type"] == "CHART"]
    assert sorted(placed) == sorted(charts), "every chart is on the dashboard, once"
    # rows of Superset's 12-column grid
    for node in nodes:
        if node["type"] == "ROW":
            widths = [dashboard["position"][child]["meta"]["width"] for child in node["children"]]
            assert sum(widths) <= 12, (node["id"], widths)


def test_every_column_a_chart_names_is_a_column_or_metric_of_its_dataset():
    datasets = {d["uuid"]: d for d in _load("datasets")}
    for chart in _load("charts"):
        dataset = datasets[chart["dataset_uuid"]]
        columns = {c["column_name"] for c in dataset["columns"]}
        metrics = {m["metric_name"] for m in dataset["metrics"]}
        params = chart["params"]
        named = [params.get(key) for key in ("x_axis", "metric")]
        named += [
            name for key in ("groupby", "groupbyRows", "groupbyColumns", "all_columns") for name in params.get(key, [])
        ]
        named += params.get("metrics", [])
        for name in filter(None, named):
            assert name in columns | metrics, f"{chart['slice_name']}: {name} is not in {dataset['table_name']}"


def test_the_zip_names_the_published_file_read_only(tmp_path):
    out = _bundle_module().write_bundle(Path("/srv/wh/published/retention.duckdb"), tmp_path / "bundle.zip")
    with zipfile.ZipFile(out) as bundle:
        names = bundle.namelist()
        [database] = [n for n in names if "/databases/" in n]
        uri = yaml.safe_load(bundle.read(database))["sqlalchemy_uri"]
    # Superset's import wants every file under one root folder, metadata.yaml at its top
    assert {name.split("/")[0] for name in names} == {"retention_dashboard"}
    assert "retention_dashboard/metadata.yaml" in names
    assert uri == "duckdb:////srv/wh/published/retention.duckdb?access_mode=read_only"
    with pytest.raises(ValueError, match="absolute"):
        _bundle_module().write_bundle(Path("warehouse/published/retention.duckdb"), tmp_path / "relative.zip")


def test_the_datasets_match_the_published_marts(sample_warehouse):
    """Each dataset's columns are the mart's columns, with the mart's types (a renamed column breaks a chart)."""
    with duckdb.connect(str(sample_warehouse["published"]), read_only=True) as conn:
        for dataset in _load("datasets"):
            described = conn.execute(f"describe {dataset['schema']}.{dataset['table_name']}").fetchall()
            assert [(c["column_name"], c["type"]) for c in dataset["columns"]] == [(n, t) for n, t, *_ in described]
