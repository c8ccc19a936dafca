"""Machine-readable outputs for search engines, sitemap.xml and robots.txt, and compact JSON.

The exports for researchers (graph.json, annotations.csv) are in
datasets.py. All of them are sorted and dated from the content, so an
unchanged archive gives byte-identical files.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from functools import partial
from typing import Any

from builder.index import SiteIndex
from builder.records import Article, Entity
from builder.render import LazyVariables, Page, page_about

NOT_IN_SITEMAP = frozenset({"404.html"})


def sitemap_page(pages: Sequence[Page], index: SiteIndex) -> Page:
    """Every HTML page, with the date its newest content changed (made only if it is signed)."""
    return Page("sitemap.xml", "sitemap.xml", LazyVariables(partial(_sitemap_variables, pages, index)))


def _sitemap_variables(pages: Sequence[Page], index: SiteIndex) -> dict[str, Any]:
    """In order of path, not of the site's lists: those are ordered by name, and the sitemap
    shows no names, so a rename must leave it as it is (delta.py)."""
    newest = max(((a.updated or a.date).date() for a in index.articles), default=None)
    entries = []
    for page in pages:
        if page.template.endswith(".html") and page.path not in NOT_IN_SITEMAP:
            entries.append((page.path, _lastmod(page, index) or newest))
    return {"title": "Sitemap", "entries": tuple(sorted(entries))}


def robots_page() -> Page:
    return Page("robots.txt", "robots.txt", {"title": "robots.txt"})


def _lastmod(page: Page, index: SiteIndex) -> date | None:
    about = page_about(page)
    if isinstance(about, Article):
        return (about.updated or about.date).date()
    if isinstance(about, Entity):
        found = index.articles_of.get(about.key, ())
        return max(((a.updated or a.date).date() for a in found[:1]), default=None)
    value = page.context.get("lastmod")
    return value if isinstance(value, date) else None


def json_bytes(value: object, sort_keys: bool = False) -> bytes:
    """Compact UTF-8 JSON with <, > and & as \\u escapes: the same data for any JSON reader,
    and inert should a browser ever sniff the file as HTML."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n").encode()
