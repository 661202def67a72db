"""Exports of product-analytics tools and CDPs load as exported: fixtures written from each tool's documented export
schema (tests/fixtures/exports/), expectations worked out by hand from the fixture rows.

Epoch conversions by hand: 2026-01-01 00:00 UTC is 1767225600 (2025-01-01 is 1735689600, plus 365 days of 86400 s);
2026-05-20 is day 139 of 2026 (31 + 28 + 31 + 30 + 19), so 2026-05-20 00:00 UTC is 1767225600 + 139 * 86400 =
1779235200 and 10:00 that day is 1779271200.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from retention_warehouse.export_formats import EXPORT_FORMATS, detect, restated_anonymous_ids
from retention_warehouse.ingestion import load_landing
from retention_warehouse.user_config import ConfigError, load_feed_formats, load_user_vars

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _landing(tmp_path: Path, *exports: str) -> Path:
    landing = tmp_path / "landing"
    for export in exports:
        shutil.copytree(FIXTURES / export, landing / "events" / export)
    return landing


def _load(tmp_path: Path, *exports: str, formats: dict | None = None):
    conn = duckdb.connect()
    loads = load_landing(conn, _landing(tmp_path, *exports), now=NOW, formats=formats)
    return conn, loads


def _events(conn) -> dict[str, tuple]:
    rows = conn.execute("select event_id, user_id, event_name, event_at, platform, session_id from raw.events")
    return {row[0]: row[1:] for row in rows.fetchall()}


def _persons(conn) -> set[str]:
    """The user ids the way staging resolves them: an anonymous id counts as the user of its earliest link."""
    return {
        person
        for (person,) in conn.execute(
            """
            select distinct coalesce(
                (select user_id from raw.identity_links l where l.anonymous_id = e.user_id
                 order by linked_at, user_id limit 1),
                e.user_id)
            from raw.events e"""
        ).fetchall()
    }


def _audit(conn) -> list[tuple]:
    return conn.execute(
        "select export_format, rows_read, rows_accepted, rows_quarantined, rows_duplicate, file_status "
        "from raw.raw_load_audit order by source_file"
    ).fetchall()


def test_segment_tracks_csv(tmp_path):
    conn, _ = _load(tmp_path, "segment")
    assert _audit(conn) == [("segment", 10, 10, 0, 0, "loaded")]
    events = _events(conn)
    # anonymous rows fall back to anonymous_id; a +02:00 time is converted to UTC; platform = context_device_type
    assert events["seg-m01"] == ("anon-7f3a", "product_viewed", datetime(2026, 5, 20, 10, 0), "ios", None)
    assert events["seg-m03"] == ("user-1001", "order_completed", datetime(2026, 5, 20, 10, 5), "ios", None)
    assert events["seg-m07"] == ("user-1002", "application_opened", datetime(2026, 5, 20, 10, 0), "android", None)
    # no device type on the web: the operating system's name
    assert events["seg-m09"] == ("anon-5e11", "product_viewed", datetime(2026, 5, 22, 7, 30), "mac os x", None)
    links = conn.execute("select anonymous_id, user_id, linked_at from raw.identity_links order by 1").fetchall()
    assert links == [
        ("anon-5e11", "user-1003", datetime(2026, 5, 22, 7, 35)),
        ("anon-7f3a", "user-1001", datetime(2026, 5, 20, 10, 5)),
        ("anon-91de", "user-1002", datetime(2026, 5, 20, 10, 0)),
    ]
    # four people: user-1001 (rows 1-4), anon-22bc (never identified), user-1002, user-1003 (rows 9-10)
    assert _persons(conn) == {"user-1001", "anon-22bc", "user-1002", "user-1003"}
    # the columns the format does not read are kept, under their own names
    extra = conn.execute("select extra_attributes::json ->> 'event_text' from raw.events where event_id = 'seg-m01'")
    assert extra.fetchone() == ("Product Viewed",)


def test_segment_event_json_with_an_identify_call(tmp_path):
    conn, _ = _load(tmp_path, "segment_json")
    assert _audit(conn) == [("segment_json", 8, 8, 0, 0, "loaded")]
    events = _events(conn)
    # calls without an event name are named by their type; platform from context.device.type, else context.os.name
    assert events["rs-0002"] == ("anon-c01", "screen", datetime(2026, 5, 20, 10, 1), "ios", None)
    assert events["rs-0003"] == ("user-2001", "identify", datetime(2026, 5, 20, 10, 3), "ios", None)
    assert events["rs-0005"] == ("anon-c02", "product_viewed", datetime(2026, 5, 21, 8, 0), "android", None)
    assert events["rs-0006"] == ("anon-c03", "page", datetime(2026, 5, 21, 9, 0), None, None)
    held = conn.execute("select properties::json ->> 'checkout_id' from raw.events where event_id = 'rs-0004'")
    assert held.fetchone() == ("c-1",)
    assert _persons(conn) == {"user-2001", "anon-c02", "user-2002"}
    # context is read for the platform only: the rest of it stays in the extra attributes
    library = conn.execute(
        "select (extra_attributes::json ->> 'context')::json ->> '$.library.name' from raw.events "
        "where event_id = 'rs-0006'"
    )
    assert library.fetchone() == ("analytics.js",)


def test_mixpanel_export_times_are_epoch_seconds(tmp_path):
    conn, _ = _load(tmp_path, "mixpanel")
    assert _audit(conn) == [("mixpanel", 10, 10, 0, 0, "loaded")]
    events = _events(conn)
    assert events["mp-ins-01"] == ("dev-a1", "app_open", datetime(2026, 5, 20, 10, 0), "ios", None)  # 1779271200
    assert events["mp-ins-02"][2] == datetime(2026, 5, 20, 10, 1)  # 1779271260 = + 60 s
    assert events["mp-ins-03"] == ("mp-user-1", "sign_up", datetime(2026, 5, 20, 10, 5), "ios", None)  # + 300 s
    assert events["mp-ins-04"][2] == datetime(2026, 5, 21, 10, 0)  # 1779357600 = + 86400 s
    assert events["mp-ins-07"] == ("mp-user-2", "page_view", datetime(2026, 5, 20, 12, 0), "windows", None)
    # the last event has no $insert_id: its id is derived from its content
    (derived,) = [event_id for event_id in events if not event_id.startswith("mp-ins-")]
    assert derived.startswith("mixpanel:") and len(derived) == len("mixpanel:") + 32
    assert events[derived] == ("mp-user-3", "page_view", datetime(2026, 5, 20, 13, 0), "mac os x", None)
    # dev-a1 is linked to mp-user-1 by the Sign Up event; dev-b2 stays anonymous
    assert _persons(conn) == {"mp-user-1", "dev-b2", "mp-user-2", "mp-user-3"}


def test_amplitude_export_json_gz(tmp_path):
    conn, _ = _load(tmp_path, "amplitude")
    assert _audit(conn) == [("amplitude", 10, 10, 0, 0, "loaded")]
    rows = conn.execute(
        "select event_id, user_id, event_name, event_at, platform, session_id from raw.events order by event_id"
    ).fetchall()
    assert [r[0] for r in rows] == [f"3b8f1e2a-0000-4000-8000-{n:012d}" for n in range(1, 11)]  # uuid
    first, _, third, *_, last = rows
    # event_time is UTC text with microseconds; the device id stands in for the user until user_id is set
    assert first[1:] == ("D1111-AAAA", "open_app", datetime(2026, 5, 20, 10, 0, 0, 123456), "ios", "1779271200000")
    assert third[1:] == ("amp-user-1", "sign_up", datetime(2026, 5, 20, 10, 5), "ios", "1779271200000")
    assert last[1:] == ("amp-user-2", "backend_sync", datetime(2026, 5, 21, 13, 0), None, None)  # session_id -1
    cart = conn.execute("select properties::json ->> 'checkout_id' from raw.events where event_name = 'add_to_cart'")
    assert cart.fetchone() == ("c-9",)
    # `$insert_id` is an id field of the format; Amplitude's own event_id counter is kept, named for the format
    extra = conn.execute(
        "select extra_attributes::json ->> 'amplitude_event_id', extra_attributes::json ->> '$.\"$insert_id\"' "
        "from raw.events where event_name = 'sign_up'"
    )
    assert extra.fetchone() == ("3", None)
    assert _persons(conn) == {"amp-user-1", "D2222-BBBB", "amp-user-2"}


def test_posthog_events_csv_and_identify(tmp_path):
    conn, _ = _load(tmp_path, "posthog")
    assert _audit(conn) == [("posthog", 10, 10, 0, 0, "loaded")]
    events = _events(conn)
    anonymous = "0190a1b2-anon-0000-0000-00000000aaaa"
    uuid = "0190a1b2-0001-7000-8000-0000000000{:02d}".format
    assert events[uuid(1)] == (anonymous, "pageview", datetime(2026, 5, 20, 10, 0), "mac os x", "s-01")
    assert events[uuid(3)] == ("ph-user-1", "identify", datetime(2026, 5, 20, 10, 2), "mac os x", "s-01")
    assert events[uuid(5)][2] == datetime(2026, 5, 21, 10, 30)  # 12:30 at +02:00
    assert events[uuid(7)] == ("ph-user-2", "message_sent", datetime(2026, 5, 20, 11, 5), "ios", "s-03")
    links = conn.execute("select anonymous_id, user_id, linked_at from raw.identity_links").fetchall()
    assert links == [(anonymous, "ph-user-1", datetime(2026, 5, 20, 10, 2))]
    assert _persons(conn) == {"ph-user-1", "ph-user-2", "0190a1b2-anon-0000-0000-00000000bbbb"}


def test_ga4_export_microseconds_and_derived_ids(tmp_path):
    conn, _ = _load(tmp_path, "ga4")
    assert _audit(conn) == [("ga4", 10, 10, 0, 0, "loaded")]
    rows = conn.execute(
        "select event_id, user_id, event_name, event_at, platform, properties from raw.events order by _row_number"
    ).fetchall()
    ids = [r[0] for r in rows]
    assert len(set(ids)) == 10 and all(i.startswith("ga4:") and len(i) == 36 for i in ids)
    # 1779271200250000 us = 2026-05-20 10:00:00.25; rows 1 and 2 share the time but not the content: two ids
    assert rows[0][1:5] == ("1234567890.1779271200", "first_visit", datetime(2026, 5, 20, 10, 0, 0, 250000), "web")
    assert rows[1][2:4] == ("page_view", datetime(2026, 5, 20, 10, 0, 0, 250000))
    assert rows[3][1:5] == ("ga-user-1", "purchase", datetime(2026, 5, 21, 10, 0, 0, 1), "web")  # ...600000001
    assert rows[9][3] == datetime(2026, 5, 22, 9, 0)  # 1779440400000000 = 1779278400 s + 45 h
    # event_params as one object
    assert rows[3][5] is not None
    params = conn.execute(
        "select properties::json ->> 'currency', properties::json ->> 'ga_session_id' from raw.events "
        "where event_name = 'purchase'"
    )
    assert params.fetchone() == ("USD", "1779357600")
    assert _persons(conn) == {"ga-user-1", "a1b2c3d4e5f60718293a4b5c6d7e8f90", "ga-user-2"}


def test_a_derived_id_is_the_same_for_the_same_content_in_another_column_order(tmp_path):
    landing = tmp_path / "landing" / "events"
    landing.mkdir(parents=True)
    header = "event_date,event_timestamp,event_name,user_pseudo_id,user_id,platform"
    rows = ["20260520,1779271200000000,page_view,p-1,,WEB", "20260520,1779271260000000,scroll,p-1,,WEB"]
    (landing / "a.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    reordered = [",".join(reversed(line.split(","))) for line in [header, *rows]]
    (landing / "b.csv").write_text("\n".join(reordered) + "\n", encoding="utf-8")
    conn = duckdb.connect()
    loads = load_landing(conn, landing.parent, now=NOW)
    assert [(x.export_format, x.rows_accepted, x.rows_duplicate) for x in loads] == [("ga4", 2, 0), ("ga4", 0, 2)]


def test_each_fixture_is_detected_as_its_own_format_and_the_contract_as_the_contract():
    for name in EXPORT_FORMATS:
        assert detect(set(EXPORT_FORMATS[name].signature) | {"extra_column"}) == name
    assert detect({"event_id", "user_id", "event_name", "event_time", "uuid", "event_type"}) == "contract"
    assert detect({"foo", "bar"}) == "contract"


def test_an_invalid_time_is_quarantined_with_the_rule_of_its_format(tmp_path):
    landing = tmp_path / "landing" / "events"
    landing.mkdir(parents=True)
    (landing / "mp.jsonl").write_text(
        '{"event": "a", "properties": {"time": 1779271200, "distinct_id": "u1", "$insert_id": "i1"}}\n'
        '{"event": "b", "properties": {"time": "2026-05-20T10:00:00Z", "distinct_id": "u1", "$insert_id": "i2"}}\n'
        '{"event": "c", "properties": {"time": 1779271200000, "distinct_id": "u1", "$insert_id": "i3"}}\n',
        encoding="utf-8",
    )
    conn = duckdb.connect()
    load_landing(conn, landing.parent, now=NOW)
    assert conn.execute("select event_id from raw.events").fetchall() == [("i1",)]
    quarantined = conn.execute("select row_number, reason_detail from raw.raw_quarantine order by 1").fetchall()
    # an ISO text is not epoch seconds, and neither is a 13-digit number (milliseconds; seconds have at most 11)
    assert quarantined == [
        (2, "event_time = properties.time is not epoch seconds: 2026-05-20T10:00:00Z"),
        (3, "event_time = properties.time is not epoch seconds: 1779271200000"),
    ]
    assert conn.execute("select distinct reason_code from raw.raw_quarantine").fetchall() == [("invalid_timestamp",)]


def test_a_configured_format_replaces_detection(tmp_path):
    landing = tmp_path / "landing" / "events"
    landing.mkdir(parents=True)
    # contract columns, but the times are GA4 microseconds: the override reads the file as ga4
    (landing / "e.csv").write_text(
        "event_timestamp,event_name,user_pseudo_id\n1779271200000000,page_view,p-1\n", encoding="utf-8"
    )
    conn = duckdb.connect()
    loads = load_landing(conn, landing.parent, now=NOW, formats={"events": "ga4"})
    assert [x.export_format for x in loads] == ["ga4"]
    assert conn.execute("select event_at from raw.events").fetchall() == [(datetime(2026, 5, 20, 10, 0),)]


def test_a_configured_format_the_file_does_not_fit_sets_the_file_aside_naming_the_setting(tmp_path):
    conn, loads = _load(tmp_path, "posthog", formats={"events": "amplitude"})
    assert loads[0].export_format == "amplitude" and loads[0].rows_accepted == 0
    reasons = conn.execute("select distinct reason_code, reason_detail from raw.raw_quarantine").fetchall()
    assert len(reasons) == 1 and reasons[0][0] == "missing_required_column"
    assert "lacks event_type, event_time of the amplitude format (set by formats.events" in reasons[0][1]
    assert _audit(conn) == [("amplitude", 10, 0, 10, 0, "quarantined")]


def test_the_formats_key_of_the_configuration_file(tmp_path):
    config = tmp_path / "warehouse.yml"
    config.write_text("default_currency: USD\nformats: {events: amplitude}\n", encoding="utf-8")
    assert load_feed_formats(config) == {"events": "amplitude"}
    assert load_user_vars(config) == {"default_currency": "USD"}  # the loader's key is not a dbt var

    config.write_text("formats: {events: amplitud}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as wrong:
        load_user_vars(config)
    assert str(wrong.value).startswith(f"{config}: key formats.events: 'amplitud' is not a format; the formats are")
    with pytest.raises(ConfigError, match="key formats.orders: only the events feed has export formats"):
        config.write_text("formats: {orders: amplitude}\n", encoding="utf-8")
        load_feed_formats(config)


def test_a_link_after_the_anonymous_events_were_built_asks_for_a_full_build(tmp_path):
    """The incremental staging model appends; when a new link changes the person of an anonymous id whose events
    are already staged, the refresh must be a full build."""
    db = tmp_path / "work.duckdb"
    landing = tmp_path / "landing" / "events"
    landing.mkdir(parents=True)
    header = "id,anonymous_id,user_id,event,timestamp\n"
    (landing / "day1.csv").write_text(header + "m1,anon-1,,app_open,2026-05-20T10:00:00Z\n", encoding="utf-8")
    with duckdb.connect(str(db)) as conn:
        load_landing(conn, landing.parent, now=datetime(2026, 5, 21, tzinfo=UTC))
        # what staging holds after the first build: the events loaded so far, with their load time
        conn.execute("create schema staging")
        conn.execute("create table staging.stg_app__events as select _loaded_at as loaded_at from raw.events")
    assert restated_anonymous_ids(db) == 0
    (landing / "day2.csv").write_text(header + "m2,anon-1,u-1,sign_up,2026-05-21T10:00:00Z\n", encoding="utf-8")
    with duckdb.connect(str(db)) as conn:
        load_landing(conn, landing.parent, now=datetime(2026, 5, 22, tzinfo=UTC))
    assert restated_anonymous_ids(db) == 1  # anon-1's day-1 event is staged with anon-1 as its person
    with duckdb.connect(str(db)) as conn:  # the full build stages everything
        conn.execute("insert into staging.stg_app__events select _loaded_at from raw.events")
    assert restated_anonymous_ids(db) == 0
    # a later link of the same pair changes nothing: no full build
    (landing / "day3.csv").write_text(header + "m3,anon-1,u-1,like,2026-05-22T10:00:00Z\n", encoding="utf-8")
    with duckdb.connect(str(db)) as conn:
        load_landing(conn, landing.parent, now=datetime(2026, 5, 23, tzinfo=UTC))
    assert restated_anonymous_ids(db) == 0


def test_an_amplitude_export_dropped_in_the_landing_folder_builds_the_warehouse(workspace, run_refresh, capfd):
    """The whole job, once, on a landing folder holding only the Amplitude export, with no configuration."""
    shutil.copytree(FIXTURES / "amplitude", workspace["landing"] / "events")
    assert run_refresh() == 0
    assert "succeeded" in capfd.readouterr().out
    with duckdb.connect(str(workspace["warehouse"] / "work" / "retention.duckdb"), read_only=True) as conn:
        assert conn.execute("select count(*) from raw.events").fetchone() == (10,)
        audit = conn.execute("select export_format, rows_read, rows_accepted from raw.raw_load_audit").fetchall()
        assert audit == [("amplitude", 10, 10)]
        # three people: D1111-AAAA is amp-user-1 (linked by Sign Up), D2222-BBBB stays anonymous, amp-user-2
        assert conn.execute("select count(distinct user_key) from staging.stg_app__events").fetchone() == (3,)
        per_person = conn.execute(
            "select count(*) from staging.stg_app__events group by user_key order by 1"
        ).fetchall()
        assert per_person == [(2,), (4,), (4,)]
