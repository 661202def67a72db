"""The reliability lane (`make test-reliability`): faults injected into real refreshes of a tiny generated sample.

One scenario, run once for the module, as a warehouse lives through it:
1. two `python -m cli.run` start together on a new warehouse (no Dagster storage yet): one publishes, the other
   exits at once naming the holder;
2. the publication of a rebuilt working file is killed (SIGKILL) at each of its steps, one subprocess per step;
3. corrections of every kind are delivered and `python -m cli.run` is killed with SIGKILL during dbt;
4. a normal `python -m cli.run` then publishes a consistent set and removes what the killed runs left;
5. a copy of the warehouse on a full device (a small tmpfs when the mount is permitted, else a simulated write
   failure) fails with the run's own summary naming the device.
Each test below asserts one case on what the scenario recorded.

Covered elsewhere, not repeated here: hostile file names and JSON keys, unsupported file types, unreadable files and
a delivery that accepted nothing (tests/test_loader_reliability.py); the refresh lock's messages and a killed
holder, simulated leftovers of a killed publication, a reader keeping its version
(tests/test_publish_reliability.py); a check-result hook that cannot write (tests/test_check_results.py).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from retention_warehouse.publish import STABLE_NAMES
from retention_warehouse.sample_data import SampleSpec, write_landing
from retention_warehouse.settings import DEFAULT_ID_SALT

pytestmark = pytest.mark.reliability

REPO = Path(__file__).parents[1]
SPEC = SampleSpec(users=60, days=20, seed=5)
RUN_TIMEOUT = 1200
PLANTED_USER_ID = "planted-user-7731"
PLANTED_IP = "198.51.100.23"
PLANTED_AGENT = "Mozilla/5.0 (PlantedBrowser/4.2; reliability)"

# Where the publication is killed: (name, module, function, call number). The process kills itself with SIGKILL
# on entering that call, so everything before it is done and nothing after it is.
PUBLISH_KILLS = [
    # first, so that what the kills after it leave behind is still there for the next refresh to remove
    ("cleanup", "retention_warehouse.publish", "remove_stale", 2),  # switched, stale versions not removed
    ("database copy", "retention_warehouse.publish", "public_relations", 1),  # target file created, nothing copied
    ("Parquet export", "retention_warehouse.publish", "public_relations", 2),  # database complete
    ("Data Docs copy", "shutil", "copytree", 1),  # one file copied, the rest not
    ("manifest", "retention_warehouse.publish", "write_atomically", 1),
    ("report", "retention_warehouse.report", "render_report", 1),  # half a report written
    ("version rename", "retention_warehouse.publish", "switch_to", 1),  # complete folder, never switched to
    ("switch", "retention_warehouse.publish", "_point", 2),  # `previous` re-pointed, `current` not yet
]

KILLED_PUBLICATION = textwrap.dedent(
    """
    import importlib, os, signal, sys
    from pathlib import Path
    module, name, at = sys.argv[1], sys.argv[2], int(sys.argv[3])
    target = importlib.import_module(module)
    original, calls = getattr(target, name), [0]

    def killing(*args, **kwargs):
        calls[0] += 1
        if calls[0] == at:
            if name == "render_report":
                Path(args[2]).write_text("<html><body>half a rep", encoding="utf-8")
            if name == "copytree":
                source, target_dir = Path(args[0]), Path(args[1])
                first = next(p for p in sorted(source.rglob("*")) if p.is_file())
                (target_dir / first.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
                (target_dir / first.relative_to(source)).write_bytes(first.read_bytes())
            os.kill(os.getpid(), signal.SIGKILL)
        return original(*args, **kwargs)

    setattr(target, name, killing)
    import json
    from retention_warehouse import publish, report
    from retention_warehouse.settings import load_settings

    settings = load_settings()
    quality = json.loads((settings.published_dir / "manifest.json").read_text())["data_quality"]
    publish.publish(
        settings,
        data_quality=quality,
        before_switch=lambda folder, manifest: report.render_report(
            folder / "retention.duckdb", folder / "manifest.json", folder / "report.html"
        ),
    )
    print("published without being killed", flush=True)
    """
)


def _env(landing: Path, warehouse: Path) -> dict[str, str]:
    """Dagster's storage under the warehouse folder (no DAGSTER_HOME), as on a user's machine."""
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "RW_DUCKDB_PATH", "RW_ID_SALT")}
    return env | {
        "RW_LANDING_DIR": str(landing),
        "RW_WAREHOUSE_DIR": str(warehouse),
        "RW_TIMEZONE": "UTC",
        "GX_ANALYTICS_ENABLED": "False",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "PYTHONUNBUFFERED": "1",
    }


def _start(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *(args or ("-m", "cli.run"))],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _finish(process: subprocess.Popen) -> tuple[int, str]:
    output, _ = process.communicate(timeout=RUN_TIMEOUT)
    return process.returncode, output


def _children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append((int(entry.name), (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()))
        except (OSError, IndexError, ValueError):
            continue
    return found


def _dbt_built_a_model(warehouse: Path, earlier_logs: set[Path]) -> bool:
    """True once the run's full log (warehouse/logs/, cli.run) shows dbt has built a model into the working file."""
    logs = set((warehouse / "logs").glob("run-*.log")) - earlier_logs
    return any(" OK created " in log.read_text(encoding="utf-8", errors="replace") for log in logs)


def published_set(published: Path) -> dict:
    """The published set, checked to be one version whole: every stable path resolves into the folder `current`
    points at, the manifest names that folder, and its row counts are those of the database and the Parquet files."""
    current = Path(os.path.realpath(published / "current"))
    assert {Path(os.path.realpath(published / name)).parent for name in STABLE_NAMES} == {current}
    manifest = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == current.name
    with duckdb.connect(str(published / "retention.duckdb"), read_only=True) as conn:
        counts = {
            relation: conn.execute(f"select count(*) from {relation}").fetchone()[0]
            for relation in manifest["row_counts"]
        }
    assert counts == manifest["row_counts"]
    for relation, rows in counts.items():
        parquet = published / "parquet" / f"{relation.split('.')[-1]}.parquet"
        assert duckdb.sql(f"select count(*) from read_parquet('{parquet}')").fetchall() == [(rows,)], relation
    report = (published / "report.html").read_text(encoding="utf-8")
    assert report.rstrip().endswith("</html>") and str(manifest["as_of_date"]) in report
    assert (published / "quality" / "index.html").is_file()
    return manifest


def leftovers(published: Path) -> list[str]:
    """What is in the published folder beyond the stable links, `current`, `previous` and their two versions."""
    keep = {os.path.realpath(published / link) for link in ("current", "previous") if (published / link).exists()}
    extra = [p.name for p in published.iterdir() if p.name not in {*STABLE_NAMES, "current", "previous", "versions"}]
    extra += [f"versions/{p.name}" for p in (published / "versions").iterdir() if os.path.realpath(p) not in keep]
    return sorted(extra)


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def deliver_corrections(landing: Path) -> dict:
    """A later delivery of each feed, worked out from the sample's own files: what each kind of correction is."""
    orders = _rows(landing / "orders" / "orders.csv")
    paid = next(o for o in orders if o["status"] == "paid")
    kept = next(o for o in orders if o is not paid)
    _write_csv(
        landing / "orders" / "orders_2.csv",
        [paid | {"status": "refunded"}, kept, paid | {"order_id": "o-new-1", "amount": "12.50"}],
    )
    shutil.copyfile(landing / "orders" / "orders.csv", landing / "orders" / "orders (copy).csv")

    users = _rows(landing / "users" / "users.csv")
    moved = users[0]
    channel = "search" if moved["acquisition_channel"] != "search" else "organic"
    _write_csv(landing / "users" / "users_2.csv", [moved | {"acquisition_channel": channel}, users[1]])

    subscription = json.loads((landing / "subscriptions" / "subscriptions.jsonl").read_text().splitlines()[0])
    corrected_amount = subscription["amount"] + 7
    (landing / "subscriptions" / "subscriptions_2.jsonl").write_text(
        json.dumps(subscription | {"amount": corrected_amount}) + "\n", encoding="utf-8"
    )

    response = _rows(landing / "surveys" / "nps_responses.csv")[0]
    score = "3" if response["score"] != "3" else "9"
    _write_csv(landing / "surveys" / "nps_responses_2.csv", [response | {"score": score}])

    first_day = duckdb.sql(
        f"select event_id, event_name from read_parquet('{landing}/events/events_{SPEC.start}.parquet') "
        "order by event_id limit 1"
    ).fetchall()[0]
    last = SPEC.end.isoformat()
    _write_csv(
        landing / "events" / "events_late.csv",
        [
            {  # a redelivery of an event with other content: events are immutable, the first delivery stands
                "event_id": first_day[0],
                "user_id": moved["user_id"],
                "event_name": "purchase",
                "event_time": f"{last}T12:00:00Z",
                "properties": "",
                "ip_address": "",
                "user_agent": "",
            },
            {  # the planted identifiers: an accepted row with an IP and a user agent in extra columns
                "event_id": "e-planted-1",
                "user_id": PLANTED_USER_ID,
                "event_name": "app_open",
                "event_time": f"{last}T13:00:00Z",
                "properties": json.dumps({"ip": PLANTED_IP, "user_agent": PLANTED_AGENT}),
                "ip_address": PLANTED_IP,
                "user_agent": PLANTED_AGENT,
            },
            {  # and a quarantined one (a time far in the future) holding them in its raw record
                "event_id": "e-planted-2",
                "user_id": PLANTED_USER_ID,
                "event_name": "app_open",
                "event_time": "2099-01-01T00:00:00Z",
                "properties": "",
                "ip_address": PLANTED_IP,
                "user_agent": PLANTED_AGENT,
            },
        ],
    )
    return {
        "refunded_order": paid["order_id"],
        "user": moved["user_id"],
        "channel": channel,
        "subscription": (subscription["subscription_id"], corrected_amount),
        "response": (response["response_id"], int(score)),
        "event": first_day,
    }


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("reliability")
    landing, warehouse = root / "landing", root / "wh"
    write_landing(SPEC, landing)
    env = _env(landing, warehouse)
    seen: dict = {"root": root, "landing": landing, "warehouse": warehouse, "seconds": {}}
    published = warehouse / "published"

    began = time.monotonic()
    first, second = _start(env), _start(env)  # together, on a warehouse with no Dagster storage yet
    seen["together"] = [(p.pid, *_finish(p)) for p in (first, second)]
    seen["baseline"] = published_set(published)
    seen["seconds"]["two refreshes at once"] = time.monotonic() - began

    began = time.monotonic()
    (landing / "events" / "events_extra.csv").write_text(  # a new delivery: the working file is rebuilt anyway
        f"event_id,user_id,event_name,event_time\ne-extra-1,u0000001,app_open,{SPEC.end}T08:00:00Z\n"
    )
    seen["publication_kills"] = []
    for name, module, function, call in PUBLISH_KILLS:
        process = _start(env, "-c", KILLED_PUBLICATION, module, function, str(call))
        code, output = _finish(process)
        seen["publication_kills"].append((name, code, output, published_set(published)))
    seen["left_by_kills"] = leftovers(published)
    seen["seconds"]["publication killed at 8 steps"] = time.monotonic() - began

    began = time.monotonic()
    seen["corrections"] = deliver_corrections(landing)
    logs = set((warehouse / "logs").glob("run-*.log"))
    run = _start(env)
    deadline = time.monotonic() + RUN_TIMEOUT
    while run.poll() is None and time.monotonic() < deadline and not _dbt_built_a_model(warehouse, logs):
        time.sleep(0.2)
    dbt = [pid for pid, command in _children(run.pid) if "dbt" in command and " build" in command]
    for pid in [*dbt, run.pid]:
        os.kill(pid, signal.SIGKILL)
    code = _finish(run)[0]
    while any(Path(f"/proc/{pid}").exists() for pid in dbt):
        time.sleep(0.1)
    seen["dbt_kill"] = (bool(dbt), code, published_set(published))
    seen["seconds"]["refresh killed during dbt"] = time.monotonic() - began

    began = time.monotonic()
    seen["after"] = _finish(_start(env))
    seen["recovered"] = published_set(published)
    seen["leftovers"] = leftovers(published)
    seen["seconds"]["normal refresh after the kills"] = time.monotonic() - began
    return seen


def test_two_refreshes_at_once_one_publishes_and_the_other_exits_naming_it(scenario):
    (pid_a, code_a, out_a), (pid_b, code_b, out_b) = scenario["together"]
    assert sorted([code_a, code_b]) == [0, 1], (out_a[-2000:], out_b[-2000:])
    winner, loser_output = (pid_a, out_b) if code_a == 0 else (pid_b, out_a)
    assert f"another refresh (pid {winner}, started 20" in loser_output
    assert "holds this warehouse" in loser_output and "Traceback" not in loser_output
    assert scenario["baseline"]["data_quality"]["status"] == "passed"


def _switched(scenario) -> str:
    """The version published by the publication killed after its switch (the first kill)."""
    return scenario["publication_kills"][0][3]["version"]


def test_a_publication_killed_at_any_step_leaves_a_whole_published_set(scenario):
    assert [name for name, *_ in scenario["publication_kills"]] == [name for name, *_ in PUBLISH_KILLS]
    name, code, output, _ = scenario["publication_kills"][0]
    # killed after the switch: the new one, whole (the message shows what the killed publication printed)
    assert _switched(scenario) != scenario["baseline"]["version"], (name, code, output[-2000:])
    for name, code, output, manifest in scenario["publication_kills"]:
        assert code == -signal.SIGKILL, (name, output[-2000:])  # killed, not finished
        if name != "cleanup":
            assert manifest["version"] == _switched(scenario), name  # still the version before, whole
    assert scenario["left_by_kills"], "the kills left nothing to clean up"


def test_a_refresh_killed_during_dbt_keeps_the_published_set(scenario):
    dbt_seen, code, manifest = scenario["dbt_kill"]
    assert dbt_seen, "the run ended before dbt started"
    assert code == -signal.SIGKILL
    assert manifest["version"] == _switched(scenario)  # the last one published, untouched


def test_the_next_refresh_publishes_a_whole_set_and_removes_what_killed_runs_left(scenario):
    code, output = scenario["after"]
    assert code == 0, output[-3000:]
    assert "succeeded" in output
    recovered = scenario["recovered"]
    assert recovered["version"] not in {scenario["baseline"]["version"], _switched(scenario)}
    assert recovered["data_quality"]["status"] == "passed"
    assert scenario["leftovers"] == []
    published = scenario["warehouse"] / "published"
    versions = {p.name for p in (published / "versions").iterdir()}
    assert versions == {recovered["version"], _switched(scenario)}  # and the previous one, kept for readers


def _audit(warehouse: Path) -> dict[str, tuple]:
    with duckdb.connect(str(warehouse / "published" / "retention.duckdb"), read_only=True) as conn:
        rows = conn.execute(
            "select source_file, rows_read, rows_accepted, rows_quarantined, rows_duplicate, rows_updated, file_status "
            "from raw.raw_load_audit"
        ).fetchall()
    return {Path(row[0]).name: row[1:] for row in rows}


def test_each_kind_of_correction_replaces_or_is_a_redelivery(scenario):
    audit = _audit(scenario["warehouse"])
    # read, accepted, quarantined, duplicate, updated, status: worked out from the rows deliver_corrections wrote
    assert audit["orders_2.csv"] == (3, 2, 0, 1, 1, "loaded")  # refund: update; same row: duplicate; new order
    assert audit["users_2.csv"] == (2, 1, 0, 1, 1, "loaded")  # a channel corrected; an identical row
    assert audit["subscriptions_2.jsonl"] == (1, 1, 0, 0, 1, "loaded")  # an amount corrected
    assert audit["nps_responses_2.csv"] == (1, 1, 0, 0, 1, "loaded")  # a score corrected
    assert audit["events_late.csv"] == (3, 1, 1, 1, 0, "loaded")  # an event is never updated
    assert audit["orders (copy).csv"] == (0, 0, 0, 0, 0, "duplicate_file")  # the same content under a new name
    fixes = scenario["corrections"]
    work = scenario["warehouse"] / "work" / "retention.duckdb"
    user_key = hashlib.sha256(f"{DEFAULT_ID_SALT}|{fixes['user']}".encode()).hexdigest()
    with duckdb.connect(str(work), read_only=True) as conn:
        assert conn.execute(
            "select order_status from staging.stg_app__orders where order_id = ?", [fixes["refunded_order"]]
        ).fetchall() == [("refunded",)]
        assert conn.execute(
            "select acquisition_channel from staging.stg_app__users where user_key = ?", [user_key]
        ).fetchall() == [(fixes["channel"],)]
        subscription, amount = fixes["subscription"]
        amounts = conn.execute(
            "select amount from staging.stg_app__subscriptions where subscription_id = ?", [subscription]
        ).fetchall()
        assert [float(value) for (value,) in amounts] == [amount]
        response, score = fixes["response"]
        assert conn.execute(
            "select score from staging.stg_app__survey_responses where response_id = ?", [response]
        ).fetchall() == [(score,)]
        event_id, first_name = fixes["event"]
        assert conn.execute(
            "select event_name from staging.stg_app__events where event_id = ?", [event_id]
        ).fetchall() == [(first_name,)]


def _published_text(published: Path) -> dict[str, str]:
    """Every published artifact as text: each table of the database, each Parquet file, the report, the manifest and
    every file of the Data Docs."""
    texts = {}
    with duckdb.connect(str(published / "retention.duckdb"), read_only=True) as conn:
        for schema, table in conn.execute("select table_schema, table_name from information_schema.tables").fetchall():
            rows = conn.execute(f'select * from "{schema}"."{table}"').fetchall()
            texts[f"retention.duckdb:{schema}.{table}"] = "\n".join(map(str, rows))
    for parquet in sorted((published / "parquet").glob("*.parquet")):
        texts[f"parquet/{parquet.name}"] = "\n".join(map(str, duckdb.sql(f"select * from '{parquet}'").fetchall()))
    for name in ("report.html", "manifest.json"):
        texts[name] = (published / name).read_text(encoding="utf-8")
    for file in sorted((published / "quality").rglob("*")):
        if file.is_file():
            texts[f"quality/{file.relative_to(published / 'quality')}"] = file.read_bytes().decode("utf-8", "replace")
    return texts


def test_no_published_artifact_holds_a_source_user_id_an_ip_or_a_user_agent(scenario):
    landing = scenario["landing"]
    source_ids = {PLANTED_USER_ID} | {row["user_id"] for row in _rows(landing / "users" / "users.csv")}
    texts = _published_text(scenario["warehouse"] / "published")
    assert any(name.startswith("quality/") for name in texts) and "report.html" in texts
    found = {
        (name, value)
        for name, text in texts.items()
        for value in (*source_ids, PLANTED_IP, PLANTED_AGENT)
        if value in text
    }
    assert found == set()
    with duckdb.connect(str(scenario["warehouse"] / "work" / "retention.duckdb"), read_only=True) as conn:
        raw = conn.execute("select string_agg(raw_record) from raw.raw_quarantine").fetchone()[0]
    assert PLANTED_IP in raw  # the working file keeps the raw record


def _mount_tmpfs(folder: Path, size_bytes: int) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_bytes}", "tmpfs", str(folder)], capture_output=True
    )
    return done.returncode == 0


def _unmount(folder: Path) -> None:
    """Unmount, waiting for the failed run's last processes (Dagster's log watchers) to let go of the device."""
    for _ in range(100):
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode == 0:
            return
        time.sleep(0.2)
    subprocess.run(["umount", "--lazy", str(folder)], check=True)


SIMULATED_FULL_DISK = textwrap.dedent(
    """
    import errno, sys
    import retention_warehouse.ingestion as ingestion

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    ingestion.load_landing = full
    import orchestration.assets.ingestion as step
    step.load_landing = full
    from cli.run import main
    sys.exit(main([]))
    """
)


def test_a_full_disk_ends_with_the_runs_summary_naming_the_device(scenario, tmp_path):
    """The warehouse, Dagster's storage inside it, on a device with 12 MiB free: a new day's delivery loads, and the
    disk fills up while dbt rebuilds the models."""
    source = scenario["warehouse"]
    used = sum(p.stat().st_size for p in source.rglob("*") if p.is_file() and not p.is_symlink())
    mount = tmp_path / "small-disk"
    mounted = _mount_tmpfs(mount, used + 12 * 2**20)
    try:
        warehouse = mount / "wh"
        shutil.copytree(source, warehouse, symlinks=True)
        before = published_set(warehouse / "published")
        landing = scenario["landing"]
        (landing / "events" / "events_full_disk.csv").write_text(
            f"event_id,user_id,event_name,event_time\ne-disk-1,u0000002,app_open,{SPEC.end}T09:00:00Z\n"
        )
        env = _env(landing, warehouse)
        began = time.monotonic()
        code, output = _finish(_start(env) if mounted else _start(env, "-c", SIMULATED_FULL_DISK))
        scenario["seconds"]["full disk" + ("" if mounted else " (simulated)")] = time.monotonic() - began
        lines = output.strip().splitlines()
        assert code == 1, output[-3000:]
        if mounted:
            assert any(line.strip().startswith("load ") and "1 new files" in line for line in lines), output[-3000:]
        headline = next(line for line in reversed(lines) if " FAILED after " in line)
        assert "no space left on the device holding" in headline, output[-3000:]
        if mounted:
            assert str(warehouse) in headline and f"mounted at {mount}" in headline
        assert lines[-2].startswith(f"The published warehouse is version {before['version']}")
        assert published_set(warehouse / "published")["version"] == before["version"]
    finally:
        (scenario["landing"] / "events" / "events_full_disk.csv").unlink(missing_ok=True)
        if mounted:
            _unmount(mount)
    print("reliability lane phases (s):", {k: round(v) for k, v in scenario["seconds"].items()})
