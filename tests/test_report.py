"""The HTML report: self-contained, every section present, hostile names shown as text, no browser errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from retention_warehouse.report import SECTIONS, render_report

HOSTILE = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


# The other marts the report reads, empty: every section renders from whatever rows the marts hold.
EMPTY_MARTS = {
    "metric_definitions": "metric_name varchar, unit varchar",
    "fct_kpi_scorecard": "metric_name varchar, segment varchar, grain varchar, period_start date, actual double, "
    "target_value double, status varchar, is_mature boolean",
    "fct_cohort_retention": "retention_definition varchar, grain varchar, cohort_start date, "
    "breakdown_name varchar, retention_type varchar, period_number integer, retention_rate double, "
    "cohort_size bigint",
    "fct_funnel_conversion": "funnel_name varchar, step_number integer, step_name varchar, users bigint, "
    "overall_conversion_rate double, step_conversion_rate double, period_start date, breakdown_name varchar",
    "fct_lifecycle": "grain varchar, period_start date, is_complete boolean, new_users bigint, "
    "returning_users bigint, resurrecting_users bigint, dormant_users bigint",
    "fct_at_risk_users": "at_risk_date date, at_risk_reason varchar",
    "fct_experiment_results": "experiment_name varchar, variant_name varchar, is_control boolean, "
    "metric_name varchar, metric_kind varchar, users bigint, metric_value double, absolute_lift double, "
    "relative_lift double, difference_ci_low double, difference_ci_high double, p_value double, "
    "is_significant boolean, srm_p_value double, has_sample_ratio_mismatch boolean",
}


def _hostile_report(tmp_path: Path) -> Path:
    """A tiny published file whose channel and segment names are markup."""
    db = tmp_path / "hostile.duckdb"
    with duckdb.connect(str(db)) as conn:
        conn.execute("create schema marts")
        for table, columns in EMPTY_MARTS.items():
            conn.execute(f"create table marts.{table} ({columns})")
        conn.execute(
            "create table marts.fct_retention_curve as select 'activity' as retention_definition, "
            "'day' as grain, 'n_period' as retention_type, 'acquisition_channel' as breakdown_name, "
            "? as breakdown_value, n as period_number, 0.5 / n as retention_rate, 0.4 / n as ci_low, "
            "0.6 / n as ci_high from range(1, 8) as t(n)",
            [HOSTILE],
        )
        conn.execute(
            "create table marts.dim_user_segments as select ? as engagement_tier, 'active' as activity_state, "
            "'new' as tenure_stage, 'standard' as value_tier, 'champions' as rfm_segment",
            [HOSTILE],
        )
    return render_report(db, None, tmp_path / "hostile.html")


def test_hostile_names_are_escaped_and_the_page_needs_no_network(tmp_path):
    html = _hostile_report(tmp_path).read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "onerror=alert" not in html.replace("&#34;", '"').split("&lt;img")[0]
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in html
    assert "<img" not in html
    # Self-contained: no remote scripts, fonts, styles or images.
    for needle in ("http://", "https://", "<link", "@import", "src="):
        assert needle not in html.replace("&lt;img src=x", ""), needle


def _chrome():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,2400",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


@pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="headless Chromium is not installed (make browser installs Debian's chromium and chromium-driver as root)",
)
def test_report_renders_in_headless_chromium(sample_warehouse, tmp_path):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    report = sample_warehouse["warehouse"] / "published" / "report.html"
    hostile = _hostile_report(tmp_path)
    driver = _chrome()
    try:
        driver.get(report.as_uri())
        for section_id, title, _ in [*SECTIONS, ("data-quality", "Data quality", None)]:
            section = driver.find_element(By.ID, section_id)
            assert section.find_element(By.TAG_NAME, "h2").text == title
            assert "Not available" not in section.text, f"section {section_id} has no data"
        assert driver.find_elements(By.CSS_SELECTOR, "#retention-heatmap svg rect")
        assert "passed" in driver.find_element(By.ID, "data-quality").text
        driver.save_screenshot(str(tmp_path / "report.png"))
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []

        driver.get(hostile.as_uri())
        with pytest.raises(NoAlertPresentException):
            _ = driver.switch_to.alert.text
        assert driver.execute_script("return document.querySelectorAll('script, img').length") == 0
        assert HOSTILE in driver.find_element(By.ID, "segments").text
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
    finally:
        driver.quit()
