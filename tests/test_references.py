"""Every reference in the repository's text resolves, and the text speaks of the product only.

The scanner reads the repository's text files (markdown, yml, sql, py, j2, toml, csv, Makefile, CI scripts) and
reports, with file and line:
- a markdown link, or a path under one of the repository's top-level folders (a markdown file of docs, a model,
  a test module; backticked or not), to a file or folder that does not exist;
- an anchor (`docs/metric_definitions.md#retention`, `[text](#section)`) that is no heading of the markdown
  file it names;
- a `python -m package.module` of a package of the repository whose module does not exist;
- a mention of a document outside the repository or of a work item (see FORBIDDEN).
Fast: no dbt, no Dagster job.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SKIP_DIRS = {".git", ".venv", ".tools", "target", "dbt_packages", "logs", "node_modules", "__pycache__"}
SKIP_DIRS |= {".pytest_cache", ".ruff_cache", ".mypy_cache"}
# Folders a reference may start with even when the folder is gone (so a path into a moved package is reported),
# besides every top-level folder that exists; and the Python packages of the repository, present or not.
KNOWN_TOP_DIRS = {".ci", "analyses", "cli", "docs", "expectations", "macros", "metrics", "models"}
KNOWN_TOP_DIRS |= {"orchestration", "retention_warehouse", "seeds", "tests"}
KNOWN_PACKAGES = {"cli", "expectations", "orchestration", "retention_warehouse", "tests"}
SKIP_ROOT_DIRS = {"warehouse", "data"}  # generated sample data and the built warehouse
TEXT_SUFFIXES = {".md", ".yml", ".yaml", ".sql", ".py", ".j2", ".toml", ".csv", ".cfg", ".ini", ".txt"}
TEXT_NAMES = {"Makefile", "run"}

# Text that must not appear: documents outside the repository, work items, merge history.
FORBIDDEN = {
    "a document outside the repository": re.compile(
        r"METRICS\.md|DATA_CONTRACT\.md|STYLE\.md|ENGINEERING_NOTES|(?<![\w-])shared[/]"
    ),
    "a work item": re.compile(r"\bissues?[ -]#?[0-9]+", re.IGNORECASE),
    "merge history": re.compile(r"\bmerges? cleanly\b|\bonce both are on[ ]main\b", re.IGNORECASE),
}
MARKDOWN_LINK = re.compile(r"\[[^\]\n]*\]\(([^()\s]+)\)")
PATH_START = r"(?<![\w./$-])"  # not inside a longer path, a word, a URL or a variable
MODULE = re.compile(r"python -m ([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+)")


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    problem: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.problem}"


def text_files(root: Path) -> list[Path]:
    files = []
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not (here == root and d in SKIP_ROOT_DIRS))
        for name in sorted(names):
            if Path(name).suffix in TEXT_SUFFIXES or name in TEXT_NAMES:
                files.append(here / name)
    return files


def anchor(heading: str) -> str:
    """The anchor a markdown renderer (GitHub's rule) gives a heading."""
    text = re.sub(r"`|\*\*|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors_of(markdown: str) -> set[str]:
    """Anchors of every heading (outside code fences) and of explicit `<a id="...">` / `{#...}` targets."""
    found, fenced = set(), False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,6} ", line):
            found.add(anchor(line.lstrip("#")))
    found.update(re.findall(r"<a (?:id|name)=\"([^\"]+)\"", markdown))
    found.update(re.findall(r"\{#([\w-]+)\}", markdown))
    return found


class Resolver:
    """Existence of paths and anchors under one repository root."""

    def __init__(self, root: Path):
        self.root = root
        present = {p.name for p in root.iterdir() if p.is_dir() and p.name not in SKIP_DIRS | SKIP_ROOT_DIRS}
        self.top_dirs = sorted(present | KNOWN_TOP_DIRS, key=lambda d: (-len(d), d))
        names = "|".join(re.escape(d) for d in self.top_dirs)
        self.repo_path = re.compile(PATH_START + rf"((?:{names})/[\w./-]*[\w/])(#[\w-]+)?")
        self._anchors: dict[Path, set[str]] = {}

    def check_target(self, target: Path, fragment: str | None) -> str | None:
        """None when the path (and its anchor) exists, else what is wrong."""
        if not target.exists():
            return "no such file or folder"
        if fragment and target.suffix == ".md":
            if target not in self._anchors:
                self._anchors[target] = anchors_of(target.read_text(encoding="utf-8"))
            if fragment not in self._anchors[target]:
                return f"no heading with anchor #{fragment}"
        return None

    def module_exists(self, module: str) -> bool | None:
        """True / False for a module of a package of this repository, None for other modules (pytest, ...)."""
        parts = module.split(".")
        if parts[0] not in KNOWN_PACKAGES and not (self.root / parts[0] / "__init__.py").exists():
            return None
        base = self.root.joinpath(*parts)
        return base.with_suffix(".py").exists() or (base / "__main__.py").exists()


def scan_file(path: Path, resolver: Resolver, check_forbidden: bool = True) -> list[Finding]:
    root = resolver.root
    rel = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8", errors="replace")
    findings: list[Finding] = []
    own_anchors = anchors_of(text) if path.suffix == ".md" else set()
    for number, line in enumerate(text.splitlines(), start=1):
        if check_forbidden:
            for what, pattern in FORBIDDEN.items():
                for match in pattern.finditer(line):
                    findings.append(Finding(rel, number, f"mentions {what}: {match.group(0)!r}"))
        if path.suffix == ".md":
            for match in MARKDOWN_LINK.finditer(line):
                link = match.group(1)
                if re.match(r"[a-z]+:", link) or "{" in link:
                    continue  # a URL (http:, mailto:) or a template
                target, _, fragment = link.partition("#")
                if not target:
                    if fragment not in own_anchors:
                        findings.append(Finding(rel, number, f"link {link!r}: no heading with anchor #{fragment}"))
                    continue
                problem = resolver.check_target((path.parent / target).resolve(), fragment or None)
                if problem:
                    findings.append(Finding(rel, number, f"link {link!r}: {problem}"))
        if path.suffix == ".md":
            line = MARKDOWN_LINK.sub("[]()", line)  # links are checked above, relative to the file
        for match in resolver.repo_path.finditer(line):
            reference, fragment = match.group(1), (match.group(2) or "#")[1:]
            if any(c in line[match.end() : match.end() + 1] for c in "*{<"):
                continue  # a glob or a template (docs/queries/*.sql, models/{layer}/...)
            problem = resolver.check_target(root / reference, fragment or None)
            if problem:
                findings.append(Finding(rel, number, f"reference {match.group(0)!r}: {problem}"))
        for match in MODULE.finditer(line):
            if resolver.module_exists(match.group(1)) is False:
                findings.append(Finding(rel, number, f"`python -m {match.group(1)}`: no such module"))
    return findings


def scan(root: Path, exempt_forbidden: frozenset[str] = frozenset()) -> list[Finding]:
    resolver = Resolver(root)
    findings = []
    for path in text_files(root):
        rel = path.relative_to(root).as_posix()
        findings += scan_file(path, resolver, check_forbidden=rel not in exempt_forbidden)
    return findings


# This file names the forbidden patterns in order to find them: it is exempt from that check only.
THIS_FILE = frozenset({Path(__file__).resolve().relative_to(REPO_ROOT).as_posix()})


def test_every_reference_resolves_and_the_text_speaks_of_the_product_only():
    findings = scan(REPO_ROOT, exempt_forbidden=THIS_FILE)
    assert not findings, f"{len(findings)} broken or forbidden references:\n" + "\n".join(map(str, findings))


def _tiny_repo(tmp_path: Path) -> Path:
    """A repository of its own folder names (handbook/, transforms/, pkg/), so that the references written below
    do not look like references into this repository when this file itself is scanned."""
    (tmp_path / "handbook").mkdir()
    (tmp_path / "handbook" / "measures.md").write_text("# Metrics\n\n## Retention\n\n## D1 `retention` (days)\n")
    (tmp_path / "transforms").mkdir()
    (tmp_path / "transforms" / "m.sql").write_text("select 1\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "gen.py").write_text("")
    return tmp_path


def test_scanner_accepts_references_that_resolve(tmp_path):
    root = _tiny_repo(tmp_path)
    (root / "README.md").write_text(
        "See [the spec](handbook/measures.md#retention), `handbook/measures.md#d1-retention-days`,\n"
        "transforms/m.sql, `transforms/`, [up](#readme), transforms/*.sql, `python -m pkg.gen`, `python -m pytest`.\n"
        "# README\n"
    )
    (root / "transforms" / "m.yml").write_text("# defined in handbook/measures.md#retention (transforms/m.sql).\n")
    assert scan(root) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("see `handbook/nowhere.md` for more\n", "no such file"),
        ("see [it](handbook/nowhere.md)\n", "no such file"),
        ("-- transforms/gone.sql builds it\n", "no such file"),
        ("handbook/measures.md#churn defines it\n", "no heading with anchor #churn"),
        ("[x](#nowhere)\n", "no heading with anchor #nowhere"),
        ("run `python -m pkg.moved`\n", "no such module"),
        ("defined in " + "METRICS" + ".md section 2\n", "outside the repository"),
        ("see ../" + "shared" + "/NOTES.md\n", "outside the repository"),
        ("-- added for " + "issue" + " 7\n", "a work item"),
    ],
)
def test_scanner_reports_a_dangling_reference_with_file_and_line(tmp_path, text, problem):
    root = _tiny_repo(tmp_path)
    (root / "handbook" / "notes.md").write_text("# Notes\n\nfirst line\n" + text)
    findings = scan(root)
    assert [(f.file, f.line) for f in findings] == [("handbook/notes.md", 4)], findings
    assert problem in findings[0].problem
    assert str(findings[0]).startswith("handbook/notes.md:4: ")
