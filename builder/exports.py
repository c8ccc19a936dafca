"""Machine-readable outputs: the annotation graph, the annotations table, sitemap.xml, robots.txt.

graph.json and annotations.csv are for researchers (their columns are
documented in README.md, "Data exports"); the sitemap and robots.txt are
for search engines. All of them are sorted and dated from the content, so
an unchanged archive gives byte-identical files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from builder.config import SiteConfig
from builder.index import QUOTE_KIND, SiteIndex
from builder.records import Article, Entity, Reference
from builder.render import Page, RawFile
from builder.urls import UrlMap, article_path, data_path, entity_path

GRAPH_VERSION = 1
ANNOTATION_COLUMNS = ("article", "article_date", "article_url", "kind", "entity", "entity_name",
                      "origin", "field", "line", "source_path")
NOT_IN_SITEMAP = frozenset({"404.html"})


def node_id(record: Article | Entity) -> str:
    """'articles/<slug>' or '<kind>/<slug>': unique, since no kind may be called 'articles'."""
    return f"articles/{record.slug}" if isinstance(record, Article) else f"{record.kind}/{record.slug}"


def article_references(article: Article) -> list[Reference]:
    """One reference per entity the article names, quotes' speakers included."""
    seen = {ref.key for ref in article.references}
    speakers = []
    for quote in article.quotes:
        if (QUOTE_KIND, quote.by) not in seen:
            seen.add((QUOTE_KIND, quote.by))
            speakers.append(Reference(QUOTE_KIND, quote.by, quote.line, "front matter", "quotes"))
    return [*article.references, *speakers]


def export_files(index: SiteIndex, config: SiteConfig) -> Iterator[RawFile]:
    urls = UrlMap(config)
    yield RawFile(data_path("graph.json"), json_bytes(graph(index, urls)))
    yield RawFile(data_path("annotations.csv"), annotations_csv(index, urls))


def graph(index: SiteIndex, urls: UrlMap) -> dict[str, Any]:
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    for article in sorted(index.articles, key=lambda a: (a.date, a.slug)):
        nodes.append({"id": node_id(article), "type": "article", "kind": "articles", "name": article.title,
                      "url": urls.absolute(article_path(article.slug)),
                      "date": article.date.date().isoformat()})
        for ref in article_references(article):
            edges.append({"source": node_id(article), "target": f"{ref.kind}/{ref.slug}", "type": "mentions",
                          "weight": 1, "origin": ref.origin})
    for key in sorted(index.entities):
        entity = index.entities[key]
        nodes.append({"id": node_id(entity), "type": "entity", "kind": entity.kind, "name": entity.name,
                      "url": urls.absolute(entity_path(entity.kind, entity.slug)),
                      "date": entity.start.isoformat() if entity.start else None,
                      "wikidata": entity.wikidata or None, "stub": entity.is_stub})
        first: dict[tuple[str, str], Reference] = {}
        for ref in entity.references:
            first.setdefault(ref.key, ref)
        for ref in (r for r in first.values() if r.key != key):
            edges.append({"source": node_id(entity), "target": f"{ref.kind}/{ref.slug}", "type": "relation",
                          "weight": 1, "origin": ref.origin})
    # The co-mentions the site shows (each entity's most frequent partners, from the index),
    # once per pair; every other co-mention can be derived from the "mentions" edges.
    pairs: dict[tuple[str, str], int] = {}
    for key, partners in index.co_mentions.items():
        for other, count in partners:
            pair = sorted((node_id(index.entities[key]), node_id(other)))
            pairs[(pair[0], pair[1])] = count
    edges.extend({"source": a, "target": b, "type": "co-mention", "weight": count}
                 for (a, b), count in sorted(pairs.items()))
    return {"version": GRAPH_VERSION, "directed": True, "nodes": nodes, "edges": edges}


def annotations_csv(index: SiteIndex, urls: UrlMap) -> bytes:
    """RFC 4180 CSV, written by hand: each text is quoted once (per entity, per article)
    rather than per row, which is most of the cost with the csv module at 70,000 rows."""
    names = {key: _csv_field(entity.name) for key, entity in index.entities.items()}
    lines = [",".join(ANNOTATION_COLUMNS)]
    for article in sorted(index.articles, key=lambda a: (a.date, a.slug)):
        head = ",".join((article.slug, article.date.date().isoformat(),
                         _csv_field(urls.absolute(article_path(article.slug)))))
        tail = _csv_field(article.source_path)
        lines.extend(f"{head},{ref.kind},{ref.slug},{names[ref.key]},{ref.origin},{ref.field},{ref.line},{tail}"
                     for ref in article_references(article))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _csv_field(text: str) -> str:
    if any(c in text for c in ',"\r\n') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def sitemap_page(pages: Sequence[Page], index: SiteIndex) -> Page:
    """Every HTML page, with the date its newest content changed."""
    newest = max(((a.updated or a.date).date() for a in index.articles), default=None)
    entries = []
    for page in pages:
        if page.template.endswith(".html") and page.path not in NOT_IN_SITEMAP:
            entries.append((page.path, _lastmod(page, index) or newest))
    return Page("sitemap.xml", "sitemap.xml", {"title": "Sitemap", "entries": tuple(entries)})


def robots_page() -> Page:
    return Page("robots.txt", "robots.txt", {"title": "robots.txt"})


def _lastmod(page: Page, index: SiteIndex) -> date | None:
    context = page.context
    article = context.get("article")
    if isinstance(article, Article):
        return (article.updated or article.date).date()
    entity = context.get("entity")
    if isinstance(entity, Entity):
        found = index.articles_of.get(entity.key, ())
        return max(((a.updated or a.date).date() for a in found[:1]), default=None)
    value = context.get("lastmod")
    return value if isinstance(value, date) else None


def json_bytes(value: object, sort_keys: bool = False) -> bytes:
    """Compact UTF-8 JSON with <, > and & as \\u escapes: the same data for any JSON reader,
    and inert should a browser ever sniff the file as HTML."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n").encode()
