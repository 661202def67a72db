"""A warehouse refreshed delivery by delivery publishes exactly what one full build of the final landing folder does.

The sample is delivered in three steps, as a real feed arrives:
1. the event files of all but the last six days, the users feed with one user's channel still wrong, the orders
   placed before the second step, and the other feeds whole;
2. three more days, and a file of events that happened more than 20 days before they were delivered (40 users'
   interactions on one early day, some of them before the user's first interaction until then);
3. the last three days, the users feed again with the channel corrected (same file name, new content), the orders
   file again with the later orders appended, and one event file delivered a second time under another name.

Then the final landing folder is built once from scratch, and every public mart of the two published files is
compared both ways with EXCEPT ALL: zero rows may differ. A fourth run with nothing new leaves the publication
untouched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from retention_warehouse.sample_data import SampleSpec, write_landing

pytestmark = pytest.mark.integration  # four runs of the whole job

SPEC = SampleSpec(users=600, days=45, seed=11)
LATE_USERS = 40
LATE_DAYS = 24  # the late events happened this many days before the last day of the second delivery


def _run(landing: Path, warehouse: Path) -> None:
    from cli.run import main

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RW_LANDING_DIR", str(landing))
        patch.setenv("RW_WAREHOUSE_DIR", str(warehouse))
        patch.setenv("DAGSTER_HOME", str(warehouse / "dagster"))
        patch.setenv("RW_TIMEZONE", "UTC")
        patch.delenv("RW_DUCKDB_PATH", raising=False)
        patch.delenv("RW_ID_SALT", raising=False)
        assert main([]) == 0, f"the refresh job failed on {landing}"


def _final_landing(root: Path) -> Path:
    """The generated sample plus the late-events file and the redelivered copy: the folder after the last step."""
    final = root / "final"
    write_landing(SPEC, final)
    days = sorted((final / "events").glob("events_*.parquet"))
    late_day = days[-4].stem.removeprefix("events_")
    late_source = days[-4 - LATE_DAYS]
    events = pq.read_table(late_source).to_pandas()
    users = sorted(events["user_id"].unique())[:LATE_USERS]
    late = events[events["user_id"].isin(users)].copy()
    late["event_id"] = "late-" + late["event_id"].astype(str)
    late["event_name"] = "comment"
    late.to_parquet(final / "events" / f"late_{late_day}.parquet", index=False)
    shutil.copyfile(days[-5], final / "events" / f"redelivered_{days[-5].name}")
    return final


def _deliver(final: Path, landing: Path, step: int) -> None:
    days = sorted((final / "events").glob("events_*.parquet"))
    first_cut, second_cut = days[-6], days[-3]
    (landing / "events").mkdir(parents=True, exist_ok=True)
    if step == 1:
        for feed in final.iterdir():
            if feed.name not in ("events", "users", "orders"):
                shutil.copytree(feed, landing / feed.name)
        for day in days[:-6]:
            shutil.copyfile(day, landing / "events" / day.name)
        (landing / "users").mkdir()
        users = pd.read_csv(final / "users" / "users.csv", dtype=str, keep_default_na=False)
        users.loc[0, "acquisition_channel"] = "search" if users.loc[0, "acquisition_channel"] != "search" else "organic"
        users.to_csv(landing / "users" / "users.csv", index=False)
        (landing / "orders").mkdir()
        orders = pd.read_csv(final / "orders" / "orders.csv", dtype=str, keep_default_na=False)
        cutoff = first_cut.stem.removeprefix("events_")
        orders[orders["order_time"] < cutoff].to_csv(landing / "orders" / "orders.csv", index=False)
    elif step == 2:
        for day in days[-6:-3]:
            shutil.copyfile(day, landing / "events" / day.name)
        for late in (final / "events").glob("late_*.parquet"):
            shutil.copyfile(late, landing / "events" / late.name)
    else:
        for day in days[-3:]:
            shutil.copyfile(day, landing / "events" / day.name)
        for copy in (final / "events").glob("redelivered_*.parquet"):
            shutil.copyfile(copy, landing / "events" / copy.name)
        shutil.copyfile(final / "users" / "users.csv", landing / "users" / "users.csv")
        shutil.copyfile(final / "orders" / "orders.csv", landing / "orders" / "orders.csv")
    assert second_cut.exists()


def _differences(refreshed: Path, full: Path) -> dict[str, tuple[int, int]]:
    with duckdb.connect(str(refreshed), read_only=True) as conn:
        conn.execute(f"attach '{full}' as full_build (read_only)")
        tables = [
            name
            for (name,) in conn.execute(
                "select table_name from information_schema.tables where table_catalog = 'full_build' "
                "and table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        assert len(tables) > 20, tables
        differences = {}
        for table in tables:
            ours = f"marts.{table}"
            theirs = f"full_build.marts.{table}"
            extra = conn.execute(f"select count(*) from (from {ours} except all from {theirs})").fetchone()[0]
            missing = conn.execute(f"select count(*) from (from {theirs} except all from {ours})").fetchone()[0]
            if extra or missing:
                differences[table] = (extra, missing)
        return differences


def test_refreshed_delivery_by_delivery_equals_one_full_build(tmp_path):
    final = _final_landing(tmp_path)
    landing, refreshed = tmp_path / "landing", tmp_path / "refreshed"
    for step in (1, 2, 3):
        _deliver(final, landing, step)
        _run(landing, refreshed)
    full = tmp_path / "full"
    _run(final, full)

    published = Path("published") / "retention.duckdb"
    assert _differences(refreshed / published, full / published) == {}

    # Nothing new: the next run does no dbt work and leaves the publication as it was.
    before = {path: path.stat().st_mtime_ns for path in (refreshed / "published").iterdir()}
    _run(landing, refreshed)
    assert {path: path.stat().st_mtime_ns for path in (refreshed / "published").iterdir()} == before
