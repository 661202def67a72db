"""The user's own configuration: `warehouse.yml`, dbt vars that override the project's defaults, with no edit of
the project.

    # warehouse.yml ($RW_CONFIG; by default next to the landing folder)
    default_currency: USD
    interaction_events: [like, comment, share, follow]
    retention_definitions:
      - {name: activity, cohort_type: first_time, start_events: signup, return_events: active}

Every key must be a var of dbt_project.yml: a key the project does not have is an error naming the file and the key
(with the closest var names). The values are checked by the project's own vars check (macros/config_check.sql) when
dbt starts, which names the var and the value. A var given here replaces the project's value whole: dbt does not
merge lists or mappings, so give a whole list (every funnel, every retention definition) when changing one item.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import yaml

from retention_warehouse.settings import REPO_ROOT


class ConfigError(ValueError):
    """A configuration file or value the warehouse cannot use; the message names the file and the key."""


def project_vars(root: Path = REPO_ROOT) -> set[str]:
    """The names of the vars dbt_project.yml defines."""
    project = yaml.safe_load((root / "dbt_project.yml").read_text(encoding="utf-8"))
    return set(project.get("vars") or {})


def parse_vars(text: str, source: str) -> dict:
    """The vars of a YAML (or JSON) mapping, checked against the project's var names."""
    try:
        values = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ConfigError(f"{source}: not valid YAML{where}: {getattr(error, 'problem', error)}") from error
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ConfigError(f"{source}: expected a mapping of dbt var names to values, found {type(values).__name__}")
    known = project_vars()
    for key in values:
        if key not in known:
            close = difflib.get_close_matches(str(key), sorted(known), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else "; the vars are listed in dbt_project.yml"
            raise ConfigError(f"{source}: key {key!r} is not a var of the project{hint}")
    return values


def load_user_vars(path: Path) -> dict:
    """The vars of the user's configuration file; none when the file does not exist."""
    if not path.is_file():
        return {}
    return parse_vars(path.read_text(encoding="utf-8"), str(path))


def dbt_vars_args(values: dict) -> list[str]:
    """`--vars` for dbt (JSON is YAML), or nothing."""
    return ["--vars", json.dumps(values, sort_keys=True, default=str)] if values else []
