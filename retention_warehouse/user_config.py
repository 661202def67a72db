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

One key is not a dbt var but the loader's: `formats`, the export format of a feed folder's files when it is not to
be detected from their columns (retention_warehouse/export_formats.py; docs/own_data.md):

    formats: {events: amplitude}
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import yaml

from retention_warehouse.export_formats import FORMATS_KEY, check_formats
from retention_warehouse.settings import REPO_ROOT

LOADER_KEYS = (FORMATS_KEY,)  # keys of the configuration file that the loader reads; dbt never sees them


class ConfigError(ValueError):
    """A configuration file or value the warehouse cannot use; the message names the file and the key."""


def project_vars(root: Path = REPO_ROOT) -> set[str]:
    """The names of the vars dbt_project.yml defines."""
    project = yaml.safe_load((root / "dbt_project.yml").read_text(encoding="utf-8"))
    return set(project.get("vars") or {})


def _mapping(text: str, source: str) -> dict:
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
    return values


def parse_vars(text: str, source: str, loader_keys: bool = False) -> dict:
    """The vars of a YAML (or JSON) mapping, checked against the project's var names. With `loader_keys` (the
    configuration file), the loader's keys are checked too and left out of the vars."""
    values = _mapping(text, source)
    known = project_vars()
    for key in values:
        if key in LOADER_KEYS and loader_keys:
            _loader_key(key, values[key], source)
        elif key in LOADER_KEYS:
            raise ConfigError(f"{source}: key {key!r} is read by the loader from the configuration file only")
        elif key not in known:
            close = difflib.get_close_matches(str(key), sorted(known), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else "; the vars are listed in dbt_project.yml"
            raise ConfigError(f"{source}: key {key!r} is not a var of the project{hint}")
    return {key: value for key, value in values.items() if key not in LOADER_KEYS}


def _loader_key(key: str, value: object, source: str) -> dict:
    try:
        return check_formats(value, source)
    except ValueError as error:
        raise ConfigError(str(error)) from error


def load_user_vars(path: Path) -> dict:
    """The vars of the user's configuration file; none when the file does not exist."""
    if not path.is_file():
        return {}
    return parse_vars(path.read_text(encoding="utf-8"), str(path), loader_keys=True)


def load_feed_formats(path: Path) -> dict[str, str]:
    """The `formats` of the user's configuration file (feed folder -> export format), checked; none without it."""
    if not path.is_file():
        return {}
    values = _mapping(path.read_text(encoding="utf-8"), str(path))
    return _loader_key(FORMATS_KEY, values[FORMATS_KEY], str(path)) if FORMATS_KEY in values else {}


def dbt_vars_args(values: dict) -> list[str]:
    """`--vars` for dbt (JSON is YAML), or nothing."""
    return ["--vars", json.dumps(values, sort_keys=True, default=str)] if values else []
