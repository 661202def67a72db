"""`make profile`: event names with counts, and a starting configuration suggested from the names (worked by hand
from Segment-style names)."""

from __future__ import annotations

import duckdb

from retention_warehouse.profile import EventName, event_names, render, role_of, suggest

SEGMENT_STYLE = [
    EventName("Product Viewed", 10, 5),
    EventName("Product Added", 5, 4),
    EventName("Order Completed", 3, 2),
    EventName("Order Refunded", 1, 1),
    EventName("Push Notification Sent", 7, 5),
    EventName("Signed Up", 5, 5),
    EventName("Post Liked", 4, 3),
    EventName("Photo Uploaded", 2, 2),
    EventName("Level Up", 1, 1),
]


def test_each_name_gets_the_role_its_words_say():
    roles = {event.name: role_of(event.name) for event in SEGMENT_STYLE}
    assert roles == {
        "Product Viewed": "view_events",
        "Product Added": "cart_events",
        "Order Completed": "order_events",
        "Order Refunded": "not_an_order",
        "Push Notification Sent": "passive_events",
        "Signed Up": "signup_events",
        "Post Liked": "interaction_events",
        "Photo Uploaded": "creation_events",
        "Level Up": None,
    }
    assert role_of("sign_up") == role_of("signUp") == "signup_events"


def test_the_suggestion_is_a_configuration_in_the_projects_var_names():
    assert suggest(SEGMENT_STYLE) == {
        "passive_events": ["Push Notification Sent"],
        "interaction_events": ["Post Liked"],
        "creation_events": ["Photo Uploaded"],
        "funnels": [
            {
                "name": "view_to_order",
                "mode": "ordered",
                "window_seconds": 604800,
                "steps": [
                    {"name": "viewed", "events": ["Product Viewed"]},
                    {"name": "added_to_cart", "events": ["Product Added"]},
                    {"name": "ordered", "events": ["Order Completed"]},
                ],
            }
        ],
        "retention_definitions": [
            {"name": "activity", "cohort_type": "first_time", "start_events": "signup", "return_events": "active"},
            {"name": "purchase", "cohort_type": "first_time", "start_events": "signup",
             "return_events": ["Order Completed"]},
            {"name": "core_action", "cohort_type": "first_time", "start_events": "interaction_events",
             "return_events": "interaction_events"},
        ],
    }  # fmt: skip
    # With no order and no cart, no funnel is suggested and only the activity definition.
    assert suggest([EventName("Level Up", 1, 1)]) == {
        "retention_definitions": [
            {"name": "activity", "cohort_type": "first_time", "start_events": "signup", "return_events": "active"}
        ]
    }


def test_event_names_are_counted_from_the_raw_events():
    with duckdb.connect() as conn:
        conn.execute("create schema raw")
        conn.execute("create table raw.events as select * from (values ('a', 'like'), ('a', 'like'), ('b', 'like'), "
                     "('b', 'open')) t(user_id, event_name)")  # fmt: skip
        names = event_names(conn)
    assert names == [EventName("like", 3, 2), EventName("open", 1, 1)]
    text = render(names, suggest(names))
    assert text.splitlines()[1].split() == ["like", "3", "events", "2", "users", "interaction_events"]
    assert text.splitlines()[2].split() == ["open", "1", "events", "1", "users", "-"]
    assert text.splitlines()[0] == "2 event names in raw.events (4 events):"
    assert render([], {}).startswith("raw.events holds no event yet")
