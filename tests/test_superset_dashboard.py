"""`make test-superset`: `make superset` on a warehouse built here from a small sample, used as a person would in
headless Chromium: log in through the login page, open the Retention dashboard, see every chart return rows; then
refresh the warehouse under the running Superset (a new day of events and a run) and see the new as-of date.

Chart data is read from the responses the dashboard page itself received (the browser's network log), so what is
checked is what the page drew. Needs Debian's chromium and chromium-driver (`make browser`, a prerequisite of the
lane): without them this lane fails, it is what the lane is for."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from retention_warehouse.sample_data import SampleSpec, write_landing
from retention_warehouse.settings import REPO_ROOT

pytestmark = pytest.mark.superset

SAMPLE = SampleSpec(users=1500, days=75, seed=3)
# The charts of the bundle (retention_warehouse/superset/dashboard/charts), each of which must return rows.
CHARTS = {
    "Data as of",
    "Daily active users",
    "KPI scorecard",
    "Weekly retention triangle",
    "Retention curves by acquisition channel",
    "Active users over time",
    "Stickiness (DAU/MAU)",
    "Onboarding funnel",
    "Payment funnel",
    "At-risk users by value",
}
STARTUP_SECONDS = 600  # a first `make superset` migrates an empty metadata database (about a minute on 2 cores)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _refresh(env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cli.run"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, f"cli.run failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("superset_lane")
    paths = {"landing": root / "landing", "warehouse": root / "wh"}
    write_landing(SAMPLE, paths["landing"])
    env = {**os.environ, "RW_LANDING_DIR": str(paths["landing"]), "RW_WAREHOUSE_DIR": str(paths["warehouse"])}
    env |= {"DAGSTER_HOME": str(root / "dagster"), "RW_TIMEZONE": "UTC"}
    env.pop("RW_DUCKDB_PATH", None)
    env.pop("RW_ID_SALT", None)
    _refresh(env)
    return {**paths, "env": env, "root": root}


@pytest.fixture(scope="module")
def superset(warehouse: dict):
    port = _free_port()
    log = warehouse["root"] / "make_superset.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            ["make", "-s", "superset", f"SUPERSET_PORT={port}"],
            cwd=REPO_ROOT,
            env=warehouse["env"],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert server.poll() is None, f"make superset exited with {server.returncode}:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"Superset not up after {STARTUP_SECONDS}s:\n{log.read_text()[-3000:]}"
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            time.sleep(3)
        yield {"base": base, "port": port, "log": log}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=60)


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and chromedriver, "this lane needs chromium and chromedriver (make browser installs them as root)"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1600,2800",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    driver.set_page_load_timeout(120)
    yield driver
    driver.quit()


def _listening_addresses(port: int) -> set[str]:
    """The local addresses listening on `port` (Linux's /proc/net/tcp and tcp6: hex address:port, state 0A)."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                raw = bytes.fromhex(address)
                # each 32-bit word is in host (little-endian) order
                words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
                addresses.add(socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, words))
    return addresses


def _wait_for_text(driver, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 60).until(lambda d: text in d.find_element(By.TAG_NAME, "body").text)


def _log_in(driver, base: str, password: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{base}/login/")
    WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.ID, "username"))
    driver.find_element(By.ID, "username").send_keys("admin")
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 60).until(lambda d: "/login" not in d.current_url)


def _chart_names(driver, base: str) -> dict[int, str]:
    """slice id -> chart name of the dashboard, from its REST API with the browser's session."""
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    request = urllib.request.Request(f"{base}/api/v1/dashboard/retention/charts", headers={"Cookie": cookies})
    with urllib.request.urlopen(request, timeout=30) as response:
        return {chart["id"]: chart["slice_name"] for chart in json.load(response)["result"]}


def _open_dashboard(driver, base: str, expected: int) -> dict[int, dict]:
    """Open the dashboard; return the chart data response of each chart, by slice id, as the page received it."""
    driver.get_log("performance")  # drop what came before
    driver.get(f"{base}/superset/dashboard/retention/")
    pending: dict[str, tuple[int, int]] = {}
    results: dict[int, dict] = {}
    deadline = time.monotonic() + 180
    while len(results) < expected and time.monotonic() < deadline:
        for entry in driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message["params"]
            if message["method"] == "Network.responseReceived" and "/api/v1/chart/data" in params["response"]["url"]:
                query = urllib.parse.parse_qs(urllib.parse.urlparse(params["response"]["url"]).query)
                slice_id = json.loads(query["form_data"][0])["slice_id"]
                pending[params["requestId"]] = (slice_id, params["response"]["status"])
            elif message["method"] == "Network.loadingFinished" and params["requestId"] in pending:
                slice_id, status = pending.pop(params["requestId"])
                body = driver.execute_cdp_cmd("Network.getResponseBody", {"requestId": params["requestId"]})["body"]
                results[slice_id] = {"status": status, **json.loads(body)}
        time.sleep(1)
    return results


def _as_of(results: dict[int, dict], names: dict[int, str]) -> str:
    [slice_id] = [i for i, name in names.items() if name == "Data as of"]
    return results[slice_id]["result"][0]["data"][0]["as_of_date"]


def _add_next_day(landing: Path) -> None:
    """The last day's events again, one day later, under new ids: a new day of data for the refresh."""
    last = SAMPLE.end
    source = landing / "events" / f"events_{last.isoformat()}.parquet"
    target = landing / "events" / f"events_{(last + timedelta(days=1)).isoformat()}.parquet"
    duckdb.sql(
        f"copy (select * replace ('next-' || event_id as event_id, event_time + interval 1 day as event_time) "
        f"from read_parquet('{source}')) to '{target}' (format parquet)"
    )


def test_make_superset_serves_the_dashboard_and_sees_a_refresh(warehouse, superset, browser):
    state = warehouse["warehouse"] / "superset"
    password_file = state / "admin_password"
    for secret in (password_file, state / "secret_key"):
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600, secret
    output = superset["log"].read_text()
    assert str(password_file) in output and password_file.read_text().strip() not in output
    assert _listening_addresses(superset["port"]) == {"127.0.0.1"}

    _log_in(browser, superset["base"], password_file.read_text().strip())
    names = _chart_names(browser, superset["base"])
    assert set(names.values()) == CHARTS
    results = _open_dashboard(browser, superset["base"], len(names))
    assert set(results) == set(names), f"no data response for {[names[i] for i in set(names) - set(results)]}"
    for slice_id, result in results.items():
        assert result["status"] == 200, (names[slice_id], result)
        assert all(query["rowcount"] > 0 and not query.get("error") for query in result["result"]), names[slice_id]
    # the as-of date is the sample's last day (events of every day from SAMPLE.start to SAMPLE.end)
    assert _as_of(results, names) == SAMPLE.end.isoformat()
    _wait_for_text(browser, SAMPLE.end.isoformat())
    time.sleep(3)  # let the charts finish drawing
    browser.save_screenshot(str(warehouse["root"] / "dashboard.png"))
    print(f"screenshot: {warehouse['root'] / 'dashboard.png'}")

    # A refresh under the running Superset: a new day, a run; the next page load shows it.
    _add_next_day(warehouse["landing"])
    _refresh(warehouse["env"])
    results = _open_dashboard(browser, superset["base"], len(names))
    new_day = (SAMPLE.end + timedelta(days=1)).isoformat()
    assert _as_of(results, names) == new_day
    _wait_for_text(browser, new_day)
