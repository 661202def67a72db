"""Great Expectations Data Docs that render offline.

GX's Data Docs pages load Bootstrap, bootstrap-table, jQuery, Popper, Font Awesome and vega from CDNs (the great
expectations package ships only its own styles and images), so offline the index renders blank. `make_offline`
copies the vendored files of data_docs_assets/ (the same versions, from their npm packages; README.md there) into
the site's `static/vendor/` and points every page at them, each by a path relative to the page.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
from pathlib import Path

ASSETS = Path(__file__).parent / "data_docs_assets"
VENDOR = Path("static") / "vendor"

# Every remote asset a Data Docs page of great_expectations 1.24 loads -> its vendored copy in data_docs_assets/.
LOCAL_COPIES = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap-4.3.1/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap-4.3.1/bootstrap.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        "bootstrap-table-1.19.1/bootstrap-table.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        "bootstrap-table-1.19.1/bootstrap-table.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": (
        "bootstrap-table-1.19.1/bootstrap-table-filter-control.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": (
        "bootstrap-table-1.19.1/bootstrap-table-filter-control.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": (
        "bootstrap-table-1.19.1/bootstrap-table-filter-control.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker-1.9.0/bootstrap-datepicker.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker-1.9.0/bootstrap-datepicker.min.js"
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": (
        "bootstrap-dark-1.1.0/bootstrap-prefers-dark.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        "fontawesome-free-6.6.0/css/all.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.js-1.12.9/popper.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery-3.7.1/jquery.min.js",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega-5.33.1/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite-5.23.0/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed-6.29.0/vega-embed.min.js",
}
# Images on GX's S3 bucket (the navigation logo, the dark-mode logo): the site's own long logo stands in for them.
REMOTE_IMAGES = re.compile(r"https://great-expectations-web-assets\.s3\.[a-z0-9-]+\.amazonaws\.com/[^\s\"')]+")
LOCAL_LOGO = "static/images/logo-long.png"
TAG = re.compile(r"<(?:script|link|img)\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r"""\s(src|href|integrity|crossorigin)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
SUBRESOURCE_CHECK = re.compile(r"""\s(?:integrity|crossorigin)\s*=\s*["'][^"']*["']""", re.IGNORECASE)
# What a page loads (as opposed to links a reader may follow): script, stylesheet and image sources, CSS url().
REMOTE_LOAD = re.compile(
    r"""(?:<script[^>]*\ssrc|<img[^>]*\ssrc|<link[^>]*\shref)\s*=\s*["'](https?://[^"']+)["']"""
    r"""|url\(\s*["']?(https?://[^"')]+)""",
    re.IGNORECASE,
)


def remote_assets(html: str) -> list[str]:
    """The remote URLs a page would load (scripts, stylesheets, images); links a reader may follow are not counted."""
    return [a or b for a, b in REMOTE_LOAD.findall(html)]


def matches_integrity(integrity: str, file: Path) -> bool:
    """Whether `file` has one of the subresource-integrity hashes `integrity` lists (`sha384-<base64>` ...)."""
    for token in integrity.split():
        algorithm, _, expected = token.partition("-")
        if algorithm in ("sha256", "sha384", "sha512"):
            actual = base64.b64encode(hashlib.new(algorithm, file.read_bytes()).digest()).decode()
            if actual == expected:
                return True
    return False


def _localise_tag(tag: str, page: Path, to_site: Path) -> str:
    """The tag loading its local copy; unchanged when there is none, or when the copy fails the tag's integrity
    hash (then the page keeps loading the remote file, and make_offline reports it). A link into the site's
    `static/` folder that misses it (GX writes `../../../../static/` into validation pages five folders deep) is
    pointed at the folder."""
    attributes = {name.lower(): value for name, value in ATTRIBUTE.findall(tag)}
    url = attributes.get("src") or attributes.get("href")
    if url and "static/" in url and "://" not in url and not (page.parent / url).exists():
        fixed = to_site / url[url.index("static/") :]
        return tag.replace(url, fixed.as_posix()) if (page.parent / fixed).exists() else tag
    if url in LOCAL_COPIES:
        copy = ASSETS / LOCAL_COPIES[url]
        if "integrity" in attributes and not matches_integrity(attributes["integrity"], copy):
            return tag
        local = (to_site / VENDOR / LOCAL_COPIES[url]).as_posix()
    elif url and REMOTE_IMAGES.fullmatch(url):
        local = (to_site / LOCAL_LOGO).as_posix()
    else:
        return tag
    # integrity and crossorigin make a browser fetch the file in CORS mode, which file:// pages cannot do
    return SUBRESOURCE_CHECK.sub("", tag.replace(url, local))


def make_offline(site: Path) -> dict[str, list[str]]:
    """Point every page of the Data Docs site at `site` to local copies; returns, per page (path relative to the
    site), the remote assets left because no local copy is known (empty when the whole site renders offline)."""
    pages = sorted(site.rglob("*.html"))
    if not pages:
        return {}
    shutil.copytree(ASSETS, site / VENDOR, dirs_exist_ok=True, ignore=shutil.ignore_patterns("README.md"))
    left: dict[str, list[str]] = {}
    for page in pages:
        to_site = Path(os.path.relpath(site, page.parent))
        html = page.read_text(encoding="utf-8")
        html = TAG.sub(lambda m, page=page, to_site=to_site: _localise_tag(m.group(0), page, to_site), html)
        html = REMOTE_IMAGES.sub((to_site / LOCAL_LOGO).as_posix(), html)  # CSS url() of inline styles
        page.write_text(html, encoding="utf-8")
        remaining = remote_assets(html)
        if remaining:
            left[page.relative_to(site).as_posix()] = remaining
    return left
