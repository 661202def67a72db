"""The Dagster definitions load, and the asset graph has the shape the README promises."""

from dagster import AssetKey

from orchestration.definitions import defs


def _asset_keys() -> set[str]:
    return {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}


def test_definitions_load_with_the_refresh_job_schedule_and_sensor():
    assert defs.resolve_job_def("retention_refresh") is not None
    assert {s.name for s in defs.schedules} == {"daily_retention_refresh", "weekly_full_rebuild"}
    weekly = defs.get_schedule_def("weekly_full_rebuild")
    assert (weekly.job_name, weekly.cron_schedule) == ("full_refresh", "0 4 * * 0")
    assert {s.name for s in defs.sensors} == {"landing_folder_sensor"}


def test_every_layer_is_an_asset():
    keys = _asset_keys()
    raw = {
        f"raw/{t}"
        for t in (
            "events",
            "users",
            "orders",
            "marketing_spend",
            "subscriptions",
            "surveys",
            "raw_quarantine",
            "raw_load_audit",
        )
    }
    assert raw <= keys
    assert {
        "stg_app__events",
        "stg_app__users",
        "stg_app__orders",
        "stg_app__marketing_spend",
        "stg_app__subscriptions",
        "stg_app__survey_responses",
        "int_users_resolved",
        "int_users_activity_days",
        "fct_cohort_retention",
        "published_warehouse",
    } <= keys


def test_dbt_sources_are_the_ingested_raw_tables():
    graph = defs.resolve_asset_graph()
    parents = graph.get(AssetKey(["stg_app__events"])).parent_keys
    # orders too: with an empty events feed, paid orders become order events (orders-only data); identity links:
    # an anonymous id linked to a user counts as that user
    assert parents == {AssetKey(["raw", "events"]), AssetKey(["raw", "orders"]), AssetKey(["raw", "identity_links"])}


def test_publication_waits_for_the_marts_and_the_blocking_checks():
    graph = defs.resolve_asset_graph()
    assert AssetKey(["fct_cohort_retention"]) in graph.get(AssetKey(["published_warehouse"])).parent_keys
    blocking = {
        (spec.asset_key.to_user_string(), spec.name)
        for checks in defs.asset_checks
        for spec in checks.check_specs
        if spec.blocking
    }
    assert ("fct_cohort_retention", "gx_fct_cohort_retention") in blocking
    assert ("raw/raw_load_audit", "load_reconciles") in blocking


def test_the_full_refresh_job_passes_full_refresh_to_dbt():
    from orchestration.assets.dbt import DbtBuildConfig, dbt_build_args

    assert defs.resolve_job_def("full_refresh") is not None
    unit_tests = ["--exclude-resource-type", "unit_test"]  # they test the code: make test runs them
    assert dbt_build_args(DbtBuildConfig()) == ["build", *unit_tests]
    assert dbt_build_args(DbtBuildConfig(full_refresh=True)) == ["build", "--full-refresh", *unit_tests]
    from orchestration.jobs import full_refresh

    assert full_refresh.config == {"ops": {"retention_dbt_models": {"config": {"full_refresh": True}}}}


def test_funnel_marts_are_assets_with_blocking_checks():
    """Both funnel marts are in the graph, and their GX suites block publication."""
    assert {"int_users_milestones", "int_funnel_attempts", "fct_funnel_conversion", "fct_funnel_user_progress"} <= (
        _asset_keys()
    )
    blocking = {spec.name for checks in defs.asset_checks for spec in checks.check_specs if spec.blocking}
    assert {"gx_fct_funnel_conversion", "gx_fct_funnel_user_progress"} <= blocking


def test_both_refresh_jobs_record_their_checks_in_dq_results():
    """A full refresh writes its check results to quality.dq_results like the daily refresh does."""
    for job in ("retention_refresh", "full_refresh"):
        hooks = {hook.name for hook in defs.resolve_job_def(job).hook_defs}
        assert hooks == {"record_check_results_on_success", "record_check_results_on_failure"}, job


def test_the_anomaly_check_reads_the_anomaly_mart_and_only_warns():
    [spec] = [s for checks in defs.asset_checks for s in checks.check_specs if s.name == "anomaly_d1_d7_dau"]
    assert spec.asset_key == AssetKey(["fct_metric_anomalies"]) and not spec.blocking
    graph = defs.resolve_asset_graph()
    assert {AssetKey(["fct_engagement_daily"]), AssetKey(["fct_cohort_retention"])} <= graph.get(
        AssetKey(["fct_metric_anomalies"])
    ).parent_keys
