"""Every `sh`, `python` and `sql` block of the README and docs runs as pasted, against a warehouse built from the
test sample: SQL on the published file, shell and Python from a copy of the repository whose `warehouse/` is that
warehouse. A block that cannot run here (it builds for minutes or needs the reader's own files) says why in a
`<!-- not run by the snippet test: ... -->` line above it, and may hold only `make` commands and benchmark scripts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from retention_warehouse.settings import REPO_ROOT

FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>\w+)[^\n]*\n(?P<body>.*?)^(?P=indent)```", re.S | re.M)
NOT_RUN = re.compile(r"<!-- not run by the snippet test: (?P<why>[^>]+?) -->\s*$")
LANGUAGES = {"sh": "sh", "bash": "sh", "python": "python", "sql": "sql"}
# What a block that is not run may hold: make targets and the benchmark scripts, each run by CI or by `make bench`.
NOT_RUN_LINE = re.compile(
    r"^(\w+=('[^']*'|\S+) )*"  # VAR=value prefixes
    r"(make [a-z-]+( \w+=\S+)*|\.venv/bin/python -m cli\.bench_tiers( --[\w-]+( \w+)?)*)\s*(#.*)?$"
)


def doc_files() -> list[Path]:
    return [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]


def snippets() -> list[tuple[str, str, str, str | None]]:
    """(where, language, code, why it is not run or None) of every block in a language the test runs."""
    found = []
    for path in doc_files():
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            language = LANGUAGES.get(match["lang"])
            if language is None:
                continue
            line = text.count("\n", 0, match.start()) + 1
            before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
            why = NOT_RUN.search(before)
            body = "\n".join(row[len(match["indent"]) :] for row in match["body"].splitlines())
            found.append((f"{path.relative_to(REPO_ROOT)}:{line}", language, body, why["why"] if why else None))
    return found


SNIPPETS = snippets()
RUN = [s for s in SNIPPETS if s[3] is None]


def test_the_blocks_not_run_say_why_and_hold_only_make_commands():
    not_run = [s for s in SNIPPETS if s[3] is not None]
    assert len(RUN) >= 10 and len(not_run) <= 5, (len(RUN), [s[0] for s in not_run])
    for where, _, code, _ in not_run:
        for line in code.splitlines():
            assert not line.strip() or NOT_RUN_LINE.match(line.strip()), f"{where}: {line!r} must run in the test"


@pytest.fixture(scope="module")
def checkout(sample_warehouse, tmp_path_factory) -> Path:
    """The repository as a reader has it after `make run`: its files, .venv, and warehouse/ = the sample's."""
    root = tmp_path_factory.mktemp("checkout")
    for entry in REPO_ROOT.iterdir():
        if entry.name in {"warehouse", "data", "target", "logs", ".git"}:
            continue
        (root / entry.name).symlink_to(entry)
    shutil.copytree(REPO_ROOT / "target", root / "target", ignore=shutil.ignore_patterns("run", "compiled"))
    (root / "warehouse").symlink_to(sample_warehouse["warehouse"])
    return root


@pytest.mark.parametrize(("where", "language", "code"), [s[:3] for s in RUN], ids=[s[0] for s in RUN])
def test_the_block_runs_as_pasted(where, language, code, checkout, sample_warehouse):
    if language == "sql":
        with duckdb.connect(str(sample_warehouse["published"]), read_only=True) as conn:
            rows = conn.execute(code).fetchall()
        assert rows, f"{where}: the query returned no row on the sample"
        return
    command = ["bash", "-euo", "pipefail", "-c", code] if language == "sh" else [sys.executable, "-c", code]
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("RW_", "DAGSTER_", "DBT_"))}
    environment["RW_TIMEZONE"] = "UTC"
    done = subprocess.run(command, cwd=checkout, env=environment, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{where} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    assert done.stdout.strip(), f"{where} printed nothing"
