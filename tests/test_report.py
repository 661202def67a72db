"""The HTML report: self-contained, every section present, hostile names shown as text, no browser errors."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from retention_warehouse.report import AT_RISK_CSV, SECTIONS, charts, render_report

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
    "fct_experiment_results": "experiment_name varchar, variant_name varchar, is_control boolean, "
    "metric_name varchar, metric_kind varchar, users bigint, metric_value double, absolute_lift double, "
    "relative_lift double, difference_ci_low double, difference_ci_high double, p_value double, "
    "is_significant boolean, srm_p_value double, has_sample_ratio_mismatch boolean",
    "fct_engagement_daily": "activity_date date, dau bigint, wau bigint, mau bigint, stickiness double, "
    "is_full_mau_window boolean",
    "fct_monetization": "grain varchar, period_start date, gmv double, arpu double, arppu double, "
    "paying_rate double, is_complete_period boolean",
    "fct_cohort_ltv": "grain varchar, cohort_start date, breakdown_name varchar, breakdown_value varchar, "
    "days_since_signup integer, cohort_size bigint, cumulative_net_revenue double",
    "fct_acquisition": "grain varchar, acquisition_channel varchar, new_users bigint, spend double, cac double, "
    "ltv_30d double, payback_days integer",
    "fct_nps": "grain varchar, period_start date, responses bigint, nps double, is_complete_period boolean",
    "fct_segment_transitions": "grain varchar, previous_period_end date, period_end date, "
    "segment_dimension varchar, from_value varchar, to_value varchar, users bigint, from_users bigint, "
    "transition_rate double",
}


def _hostile_report(tmp_path: Path) -> Path:
    """A tiny published file whose channel, segment and at-risk names are markup."""
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
            "create table marts.dim_user_segments as select 'k1' as user_key, ? as engagement_tier, "
            "'active' as activity_state, 'new' as tenure_stage, 'standard' as value_tier, 'champions' as rfm_segment, "
            "date '2026-03-01' as last_active_date",
            [HOSTILE],
        )
        conn.execute(
            "create table marts.fct_at_risk_users as select date '2026-03-03' as at_risk_date, 'k1' as user_key, "
            "'active_days_drop' as at_risk_reason, 'standard' as value_tier, ? as rfm_segment, "
            "12.5 as trailing_365d_spend, 1 as recent_active_days, 4 as baseline_active_days, "
            "2 as recent_interactions, 9 as baseline_interactions",
            [HOSTILE],
        )
        conn.execute(
            "insert into marts.fct_segment_transitions values ('week', date '2026-03-01', date '2026-03-08', "
            "'rfm_segment', ?, ?, 3, 4, 0.75)",
            [HOSTILE, HOSTILE],
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


def test_sections_without_rows_say_so(tmp_path):
    """An empty mart gives a section that names it, not a blank chart or a crash."""
    html = _hostile_report(tmp_path).read_text(encoding="utf-8")
    for mart in ("fct_engagement_daily", "fct_monetization", "fct_cohort_ltv", "fct_nps", "fct_lifecycle"):
        assert f"No rows in marts.{mart}" in html, mart


def test_the_at_risk_list_is_written_beside_the_report(tmp_path):
    _hostile_report(tmp_path)
    with (tmp_path / AT_RISK_CSV).open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert rows == [
        {
            "user_key": "k1",
            "at_risk_date": "2026-03-03",
            "at_risk_reason": "active_days_drop",
            "value_tier": "standard",
            "rfm_segment": HOSTILE,  # data, as it is: a CSV is not markup
            "trailing_365d_spend": "12.5",
            "last_active_date": "2026-03-01",
            "recent_active_days": "1",
            "baseline_active_days": "4",
            "recent_interactions": "2",
            "baseline_interactions": "9",
        }
    ]


def test_nice_ticks_are_round_and_cover_the_range():
    assert charts.nice_ticks(0, 0.47) == [0, 0.1, 0.2, 0.3, 0.4, 0.5]
    assert charts.nice_ticks(-1050, 2990) == [-2000, -1000, 0, 1000, 2000, 3000]
    assert charts.nice_ticks(-100, 100) == [-100, -50, 0, 50, 100]


def test_end_labels_are_moved_apart_as_little_as_possible():
    # 100 and 102 collide (gap 13): the lower one moves down to 113; 50 stays.
    assert charts.spread_labels([100, 102, 50], 0, 300) == [100, 113, 50]
    # At the bottom edge (300) the stack is pushed up: 300, 287, 274.
    assert charts.spread_labels([299, 300, 298], 0, 300) == [287, 300, 274]


def test_five_lines_ending_at_one_value_get_five_separate_labels():
    series = {f"channel {k}": [(1, 0.5), (30, 0.2 + k * 0.001)] for k in range(5)}
    chart = charts.line_chart(series)
    ys = sorted(s["label_y"] for s in chart.series)
    assert all(b - a >= charts.LABEL_GAP for a, b in zip(ys, ys[1:], strict=False))
    # and the labels fit in the right margin: the longest one is "channel 4 20%" (13 characters)
    assert chart.width - chart.plot_right >= 13 * charts.CHAR_WIDTH


def test_bar_labels_and_captions_fit_the_chart():
    items = [
        ("1. checkout_started", 2093, "2,093 users"),
        ("2. payment_method_selected", 1844, "1,844 users (88% of previous)"),
    ]
    chart = charts.horizontal_bars(items)
    for bar in chart.bars:
        assert bar["x"] - 6 >= charts.text_width(bar["label"])  # the label, right-aligned before the bar
        assert bar["x"] + bar["w"] + 6 + charts.text_width(bar["caption"]) <= chart.width


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
        "--hide-scrollbars",
        "--window-size=1280,2400",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


def _requested_urls(driver) -> list[str]:
    """Every URL the page asked for since the last call (Chrome's performance log)."""
    messages = [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]
    return [m["params"]["request"]["url"] for m in messages if m["method"] == "Network.requestWillBeSent"]


def _remote(urls: list[str]) -> list[str]:
    return [url for url in urls if not url.startswith(("file:", "data:", "about:"))]


def _severe(driver) -> list[dict]:
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


needs_chromium = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="headless Chromium is not installed (make browser installs Debian's chromium and chromium-driver as root)",
)

# In the page: for each chart, the texts outside the SVG's box and the pairs of overlapping line end labels.
LAYOUT_PROBLEMS = """
const problems = [];
const inside = (r, box) => r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1
    && r.bottom <= box.bottom + 1;
const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
for (const svg of document.querySelectorAll('svg.chart')) {
  const box = svg.getBoundingClientRect();
  const where = svg.closest('section').id + ' / ' + svg.getAttribute('aria-label');
  for (const text of svg.querySelectorAll('text')) {
    if (!inside(text.getBoundingClientRect(), box)) problems.push('cut: ' + where + ': ' + text.textContent);
  }
  const ends = [...svg.querySelectorAll('text.end-label, g.mark > text')].filter(t => t.closest('g.series')
      || t.previousElementSibling?.tagName === 'line');
  for (let i = 0; i < ends.length; i++) for (let j = i + 1; j < ends.length; j++) {
    if (overlap(ends[i].getBoundingClientRect(), ends[j].getBoundingClientRect()))
      problems.push('overlap: ' + where + ': ' + ends[i].textContent + ' / ' + ends[j].textContent);
  }
}
return problems;
"""


def _full_page_screenshot(driver, path: Path) -> None:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, height)
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))


@needs_chromium
def test_report_renders_in_headless_chromium(sample_warehouse, tmp_path):
    """Every section is there with data drawn from the published marts, nothing is cut or overlaps, the page asks
    for nothing but itself, and markup in names stays text."""
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
            assert section.find_elements(By.CSS_SELECTOR, ".mark"), f"section {section_id} draws no data"
            assert not section.find_elements(By.CSS_SELECTOR, ".empty"), f"section {section_id} has no rows"
        assert "passed" in driver.find_element(By.ID, "data-quality").text
        assert driver.execute_script(LAYOUT_PROBLEMS) == []
        # Charts of one column span the card: at least 95% of the section's inner width.
        for section_id in ("engagement", "monetisation", "retention-heatmap", "funnels", "lifecycle"):
            widths = driver.execute_script(
                "const s = document.getElementById(arguments[0]); const inner = s.clientWidth - 36;"
                "return [...s.querySelectorAll(':scope > svg.chart')]"
                ".map(c => c.getBoundingClientRect().width / inner)",
                section_id,
            )
            assert widths and min(widths) >= 0.95, (section_id, widths)
        assert _remote(_requested_urls(driver)) == []
        assert _severe(driver) == []
        _full_page_screenshot(driver, tmp_path / "screens" / "report.png")

        driver.get(hostile.as_uri())
        with pytest.raises(NoAlertPresentException):
            _ = driver.switch_to.alert.text
        assert driver.execute_script("return document.querySelectorAll('script, img').length") == 0
        assert HOSTILE in driver.find_element(By.ID, "segments").text
        assert HOSTILE in driver.find_element(By.ID, "at-risk").text
        assert HOSTILE in driver.find_element(By.ID, "transitions").text
        assert _severe(driver) == []
        _full_page_screenshot(driver, tmp_path / "screens" / "report-hostile.png")
    finally:
        driver.quit()


@needs_chromium
def test_report_sections_show_the_published_numbers(sample_warehouse):
    """What the page shows, against the published marts and the landing files."""
    from selenium.webdriver.common.by import By

    published = sample_warehouse["warehouse"] / "published"
    with duckdb.connect(str(sample_warehouse["published"]), read_only=True) as conn:
        day, at_risk = conn.execute(
            "select at_risk_date, count(*) from marts.fct_at_risk_users "
            "where at_risk_date = (select max(at_risk_date) from marts.fct_at_risk_users) group by 1"
        ).fetchone()
        at_risk_keys = {
            k
            for (k,) in conn.execute(
                "select user_key from marts.fct_at_risk_users where at_risk_date = ?", [day]
            ).fetchall()
        }
        top_key = conn.execute(
            "select user_key from marts.fct_at_risk_users where at_risk_date = ? "
            "order by trailing_365d_spend desc nulls last, baseline_active_days desc, user_key limit 1",
            [day],
        ).fetchone()[0]
        full_window_days = conn.execute(
            "select count(*) from marts.fct_engagement_daily where is_full_mau_window"
        ).fetchone()[0]
        nps_weeks = conn.execute(
            "select count(*) from marts.fct_nps where grain = 'week' and is_complete_period"
        ).fetchone()[0]
    with (sample_warehouse["landing"] / "users" / "users.csv").open(newline="", encoding="utf-8") as file:
        landing_users = list(csv.DictReader(file))
    channels = sorted({u["acquisition_channel"] for u in landing_users})
    source_ids = {u["user_id"] for u in landing_users}

    listed = list(csv.DictReader((published / AT_RISK_CSV).open(newline="", encoding="utf-8")))
    assert len(listed) == at_risk and {r["user_key"] for r in listed} == at_risk_keys
    assert listed[0]["user_key"] == top_key and re.fullmatch(r"[0-9a-f]{64}", top_key)
    csv_text, html = (
        (published / AT_RISK_CSV).read_text(encoding="utf-8"),
        (published / "report.html").read_text(encoding="utf-8"),
    )
    assert not [i for i in source_ids if re.search(rf"\b{re.escape(i)}\b", csv_text + html)]  # pseudonymous keys only

    driver = _chrome()
    try:
        driver.get((published / "report.html").as_uri())
        section = driver.find_element(By.ID, "at-risk")
        assert f"{at_risk:,} users at risk on {day}" in section.text
        rows = section.find_elements(By.CSS_SELECTOR, "#at-risk-list tr.mark")
        assert len(rows) == min(25, at_risk)
        assert rows[0].find_element(By.TAG_NAME, "code").get_attribute("title") == top_key
        link = section.find_element(By.LINK_TEXT, AT_RISK_CSV)
        assert link.get_attribute("href") == (published / AT_RISK_CSV).as_uri()

        dau = driver.find_element(By.CSS_SELECTOR, "#engagement g.series:last-of-type polyline")
        lines = driver.find_elements(By.CSS_SELECTOR, "#engagement svg.chart")[0].find_elements(
            By.CSS_SELECTOR, "g.series"
        )
        assert [g.find_element(By.TAG_NAME, "title").get_attribute("textContent") for g in lines] == [
            "MAU",
            "WAU",
            "DAU",
        ]
        assert dau.get_attribute("points").count(",") == full_window_days  # one point per day with a full MAU window
        nps_dots = driver.find_elements(By.CSS_SELECTOR, "#nps circle")
        assert len(nps_dots) == nps_weeks

        for section_id in ("retention-curves", "ltv"):
            titles = [h.text for h in driver.find_elements(By.CSS_SELECTOR, f"#{section_id} .multiples h4")]
            assert titles == channels, section_id  # one small chart per acquisition channel of the users feed
        assert [
            r.find_element(By.TAG_NAME, "td").text for r in driver.find_elements(By.CSS_SELECTOR, "#ltv table tr.mark")
        ] == channels
        lifecycle_axis = [t.text for t in driver.find_elements(By.CSS_SELECTOR, "#lifecycle svg text")]
        assert sum(bool(re.fullmatch(r"\d+(\.\d)?k?", label)) for label in lifecycle_axis) >= 3  # y values
        matrices = [h.text.split(":")[0] for h in driver.find_elements(By.CSS_SELECTOR, "#transitions h3")]
        assert matrices == ["activity state", "engagement tier", "value tier", "rfm segment"]
    finally:
        driver.quit()


@needs_chromium
def test_data_docs_render_offline_from_the_report_link(sample_warehouse, tmp_path):
    """The report links to the Data Docs of its publication; they load every script and style from the folder
    (no request leaves the machine) and their scripts draw the tables."""
    from selenium.webdriver.common.by import By

    published = sample_warehouse["warehouse"] / "published"
    validations = len(list((published / "quality" / "validations").rglob("*.html")))
    assert validations > 0
    driver = _chrome()
    try:
        driver.get((published / "report.html").as_uri())
        driver.find_element(By.ID, "data-docs-link").click()
        assert driver.title == "Data Docs created by Great Expectations"
        assert driver.execute_script("return [typeof jQuery, typeof vega, typeof vegaEmbed]") == [
            "function",
            "object",
            "function",
        ]
        # bootstrap-table (jQuery) builds the results table, ten rows a page, and counts the validation results
        table = driver.find_element(By.CSS_SELECTOR, "#Validation-Results .bootstrap-table")
        assert table.is_displayed()
        assert len(table.find_elements(By.CSS_SELECTOR, ".fixed-table-body tbody tr")) == min(10, validations)
        assert f"of {validations} rows" in table.find_element(By.CSS_SELECTOR, ".pagination-info").text
        icon_font = driver.execute_script(
            "return getComputedStyle(document.querySelector('i.fas, i.fa'), '::before').fontFamily"
        )
        assert "Font Awesome" in icon_font
        assert driver.execute_script(
            "return [...document.fonts].some(f => f.family.includes('Font Awesome') && f.status === 'loaded')"
        )
        urls = _requested_urls(driver)
        assert any(url.endswith("/static/vendor/bootstrap-4.3.1/bootstrap.min.css") for url in urls)
        assert _remote(urls) == []
        assert _severe(driver) == []
        _full_page_screenshot(driver, tmp_path / "screens" / "data-docs-index.png")

        page = next((published / "quality" / "validations").rglob("*.html"))  # five folders below the index
        driver.get(page.as_uri())
        assert driver.find_elements(By.CSS_SELECTOR, ".ge-section, .card")
        assert _remote(_requested_urls(driver)) == [] and _severe(driver) == []
        _full_page_screenshot(driver, tmp_path / "screens" / "data-docs-validation.png")
    finally:
        driver.quit()


def test_ltv_curve_adds_each_step_over_the_cohorts_mature_at_it():
    """Cohort A (10 users) is observed on days 1 and 7 with 10 then 30 of revenue, cohort B (10 users) on day 1
    only, with 50. Day 1: (10 + 50) / 20 = 3.0; day 7 adds A's (30 - 10) / 10 = 2.0: 5.0 (A alone at day 7, 30 / 10,
    would draw the curve flat at 3.0)."""
    from retention_warehouse.report import ltv_section

    with duckdb.connect() as conn:
        conn.execute("create schema marts")
        conn.execute(f"create table marts.fct_cohort_ltv ({EMPTY_MARTS['fct_cohort_ltv']})")
        conn.execute(f"create table marts.fct_acquisition ({EMPTY_MARTS['fct_acquisition']})")
        for name, value in (("all", "all"), ("acquisition_channel", "search")):
            conn.execute(
                "insert into marts.fct_cohort_ltv values "
                "('day', date '2026-01-01', ?, ?, 1, 10, 10), ('day', date '2026-01-01', ?, ?, 7, 10, 30), "
                "('day', date '2026-01-08', ?, ?, 1, 10, 50)",
                [name, value] * 3,
            )
        (chart,) = ltv_section(conn)["charts"]
    search = next(s for s in chart.series if s["name"] == "search")
    assert search["label"] == "search 5.00"
    assert [d["title"] for d in search["dots"]] == ["search, 1: 3.00", "search, 7: 5.00"]
