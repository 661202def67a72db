"""What the loaded events hold, and a first configuration for them: `make profile` (python -m cli.profile).

It lists the event names of raw.events with their counts and suggests, from the names alone, the event sets, a
signup-to-order funnel and the retention definitions to put in warehouse.yml. The suggestion is a starting point read
from common spellings (`Order Completed`, `order_paid`, `purchase`...): check it against what each event means in
your product before using it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import yaml

# What a name says it is, by its words (lowercase, split on anything but letters and digits). The first role whose
# words a name contains wins, so the order matters: `push_opened` is passive, `order_refunded` no order, `post_liked`
# an interaction.
ROLE_WORDS: list[tuple[str, set[str]]] = [
    ("passive_events", {"push", "email", "sms", "notification", "impression", "sent", "delivered", "received"}),
    ("not_an_order", {"refund", "refunded", "cancel", "cancelled", "canceled", "failed", "abandoned"}),
    ("order_events", {"order", "purchase", "purchased", "paid", "transaction", "subscribed", "subscription"}),
    ("signup_events", {"signup", "signedup", "register", "registered", "registration"}),
    ("interaction_events", {"like", "liked", "comment", "commented", "share", "shared", "follow", "followed",
                            "review", "reviewed", "invite", "invited", "rate", "rated", "reply", "vote", "save",
                            "favorite", "favourite", "message", "react", "reaction"}),
    ("creation_events", {"post", "posted", "upload", "uploaded", "create", "created", "publish", "published"}),
    ("cart_events", {"cart", "checkout", "basket", "added"}),
    ("view_events", {"view", "viewed", "page", "screen", "product", "search", "visit"}),
]  # fmt: skip


@dataclass(frozen=True)
class EventName:
    name: str
    events: int
    users: int


def words(name: str) -> set[str]:
    """The words of a name, and each pair of neighbours joined (`sign_up` -> sign, up, signup)."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)  # camelCase -> camel Case
    found = [word for word in re.split(r"[^a-z0-9]+", spaced.lower()) if word]
    return set(found) | {a + b for a, b in zip(found, found[1:], strict=False)}


def role_of(name: str) -> str | None:
    name_words = words(name)
    for role, role_words in ROLE_WORDS:
        if name_words & role_words:
            return role
    return None


def event_names(conn: duckdb.DuckDBPyConnection) -> list[EventName]:
    rows = conn.execute(
        "select event_name, count(*), count(distinct user_id) from raw.events group by 1 order by 2 desc, 1"
    ).fetchall()
    return [EventName(*row) for row in rows]


def suggest(names: list[EventName]) -> dict:
    """Vars for warehouse.yml from the event names, in the project's var names."""
    by_role: dict[str, list[str]] = {}
    for event in names:
        role = role_of(event.name)
        if role:
            by_role.setdefault(role, []).append(event.name)
    suggestion: dict = {}
    for var in ("passive_events", "interaction_events", "creation_events"):
        if by_role.get(var):
            suggestion[var] = by_role[var]
    steps = [
        {"name": stage, "events": list(by_role[role])}
        for stage, role in (("viewed", "view_events"), ("added_to_cart", "cart_events"), ("ordered", "order_events"))
        if by_role.get(role)
    ]
    if len(steps) >= 2:
        suggestion["funnels"] = [{"name": "view_to_order", "mode": "ordered", "window_seconds": 604800, "steps": steps}]
    definitions = [
        {"name": "activity", "cohort_type": "first_time", "start_events": "signup", "return_events": "active"}
    ]
    if by_role.get("order_events"):
        definitions.append(
            {"name": "purchase", "cohort_type": "first_time", "start_events": "signup",
             "return_events": list(by_role["order_events"])}
        )  # fmt: skip
    if by_role.get("interaction_events"):
        definitions.append(
            {"name": "core_action", "cohort_type": "first_time", "start_events": "interaction_events",
             "return_events": "interaction_events"}
        )  # fmt: skip
    suggestion["retention_definitions"] = definitions
    return suggestion


def render(names: list[EventName], suggestion: dict, limit: int = 40) -> str:
    if not names:
        return "raw.events holds no event yet: run `make run` with your exports in the landing folder first.\n"
    width = max(len(event.name) for event in names[:limit])
    lines = [f"{len(names)} event names in raw.events ({sum(e.events for e in names):,} events):"]
    for event in names[:limit]:
        role = role_of(event.name) or "-"
        lines.append(f"  {event.name:<{width}}  {event.events:>12,} events  {event.users:>10,} users  {role}")
    if len(names) > limit:
        lines.append(f"  ... and {len(names) - limit} more")
    lines += [
        "",
        "A starting warehouse.yml, suggested from the names alone (check each name's meaning before using it):",
        "",
        yaml.safe_dump(suggestion, sort_keys=False, default_flow_style=None, width=110).rstrip(),
    ]
    return "\n".join(lines) + "\n"
