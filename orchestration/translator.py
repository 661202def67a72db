"""How dbt nodes become Dagster assets: sources are the raw tables ingestion writes; groups follow folders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

RAW_GROUP = "raw"


def raw_table_key(table: str) -> AssetKey:
    return AssetKey(["raw", table])


class RetentionDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return raw_table_key(dbt_resource_props["name"])
        return AssetKey([dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """models/<layer>/<area>/x.sql -> `<layer>_<area>` (staging_app, marts_cohorts); seeds -> reference."""
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        folders = fqn[1:-1]
        return "_".join(folders[:2]) if folders else None
