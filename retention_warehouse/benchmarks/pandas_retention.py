"""The pandas baseline of `make bench`: daily-cohort D1/D7/D30 retention the way a notebook computes it.

    python -m cli.bench_pandas LANDING OUT.parquet [--memory-limit-gb 8]

Straightforward notebook code, on purpose: read the events and users files, keep the active events (not the
passive push_sent), take each user's distinct activity days, join the signup cohort, and count the users active
on day 1, 7 and 30 after signup per signup day. The address space is capped at the same memory limit DuckDB gets,
so a tier pandas cannot hold ends in MemoryError (exit code 3) rather than swapping the machine.
Writes (cohort_date, cohort_users, d1, d7, d30) to OUT so the benchmark can check it agrees with the warehouse.
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa


def daily_cohort_retention(landing: Path) -> pd.DataFrame:
    events = pd.read_parquet(landing / "events", columns=["user_id", "event_name", "event_time"])
    events = events[events["event_name"] != "push_sent"]
    events["day"] = events["event_time"].dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
    active = events[["user_id", "day"]].drop_duplicates()

    users = pd.read_csv(landing / "users" / "users.csv", usecols=["user_id", "signup_time"])
    users["cohort_date"] = pd.to_datetime(users["signup_time"], utc=True).dt.tz_localize(None).dt.normalize()
    active = active.merge(users[["user_id", "cohort_date"]], on="user_id")
    active["k"] = (active["day"] - active["cohort_date"]).dt.days

    result = users.groupby("cohort_date").size().rename("cohort_users").to_frame()
    for n in (1, 7, 30):
        result[f"d{n}"] = active[active["k"] == n].groupby("cohort_date")["user_id"].nunique()
    return result.fillna(0).reset_index()


def write_capped(landing: Path, out: Path, memory_limit_gb: float) -> int:
    """Write daily_cohort_retention(landing) to `out` with the address space capped; 3 when out of memory."""
    limit = int(memory_limit_gb * 1e9)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        daily_cohort_retention(landing).to_parquet(out, index=False)
    except (MemoryError, pa.ArrowMemoryError):
        print(f"pandas ran out of memory (address space capped at {memory_limit_gb:g} GB)", file=sys.stderr)
        return 3
    return 0
