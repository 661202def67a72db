"""Blue/green publication: a reader holding the published file open keeps one consistent version while a refresh
replaces it, the refresh is not blocked, and a new connection sees the new version."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.test_end_to_end import write_hand_made_landing

READER = textwrap.dedent(
    """
    import json, sys, duckdb
    conn = duckdb.connect(sys.argv[1], read_only=True)
    def snapshot():
        # Two tables that change together in a refresh: the audit's accepted events and the mart's last day.
        return conn.execute(
            "select (select sum(rows_accepted) from raw.raw_load_audit where feed = 'events'), "
            "(select cast(max(activity_date) as varchar) from marts.fct_engagement_daily)").fetchone()
    print(json.dumps(snapshot()), flush=True)
    sys.stdin.readline()
    print(json.dumps(snapshot()), flush=True)
    """
)


def _snapshot(path) -> list:
    result = subprocess.run(
        [sys.executable, "-c", READER, str(path)], input="\n", capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.splitlines()[-1])


def test_refresh_succeeds_while_a_reader_holds_the_published_file(workspace, run_refresh):
    write_hand_made_landing(workspace["landing"])
    assert run_refresh() == 0
    published = workspace["warehouse"] / "published" / "retention.duckdb"
    assert _snapshot(published) == [10, "2026-03-05"]

    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        before = json.loads(reader.stdout.readline())
        (workspace["landing"] / "events" / "day4.csv").write_text(
            "event_id,user_id,event_name,event_time\ne12,alice,app_open,2026-03-06T08:00:00Z\n"
            "e13,bob,app_open,2026-03-06T09:00:00Z\n",
            encoding="utf-8",
        )
        assert run_refresh() == 0  # not blocked by the open reader
        reader.stdin.write("\n")
        reader.stdin.flush()
        during = json.loads(reader.stdout.readline())
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    assert before == during == [10, "2026-03-05"]  # the old version, whole
    assert _snapshot(published) == [12, "2026-03-06"]  # a new connection sees the new version, whole
    manifest = json.loads((published.parent / "manifest.json").read_text())
    assert manifest["as_of_date"] == "2026-03-06"
    assert manifest["data_quality"]["status"] == "passed"
    assert manifest["row_counts"]["marts.fct_cohort_retention"] > 0
