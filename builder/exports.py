"""Machine-readable outputs: the annotation graph, the annotations table, sitemap.xml, robots.txt.

graph.json and annotations.csv are for researchers (their columns are
documented in README.md, "Data exports"); the sitemap and robots.txt are
for search engines. All of them are sorted and dated from the content, so
an unchanged archive gives byte-identical files.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from datetime import date
from functools import partial
from json.encoder import encode_basestring
from typing import Any

from builder.config import SiteConfig
from builder.index import QUOTE_KIND, SiteIndex
from builder.records import Article, Entity, Reference
from builder.render import LazyVariables, Page, RawFile, page_about
from builder.urls import UrlMap, data_path

GRAPH_VERSION = 2
ANNOTATION_COLUMNS = ("article", "article_date", "kind", "entity", "entity_name", "origin", "field", "line",
                      "source_path")
NOT_IN_SITEMAP = frozenset({"404.html"})
FLUSH_EVERY = 4096  # pieces of text joined and encoded at a time
# The records' display fields (delta.DISPLAY_FIELDS) the exports read: an edit that changes
# only other display fields leaves them as they are, and a rebuild keeps them.
DISPLAY_READS = frozenset({"title", "name", "wikidata"})


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


def export_paths() -> tuple[str, str]:
    return data_path("graph.json"), data_path("annotations.csv")


def export_files(index: SiteIndex, config: SiteConfig) -> Iterator[RawFile]:
    graph, annotations = export_paths()
    yield RawFile(graph, graph_json(index, UrlMap(config)))
    yield RawFile(annotations, annotations_csv(index))


class _Pieces:
    """Text written piece by piece and kept only as UTF-8 bytes.

    The exports are the largest files of a build (tens of MB at 10,000
    articles); building them as lists of dicts and then one big string
    used to be the build's peak of memory.
    """

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.pending: list[str] = []

    def write(self, text: str) -> None:
        self.pending.append(text)
        if len(self.pending) >= FLUSH_EVERY:
            self._flush()

    def _flush(self) -> None:
        self.buffer.write("".join(self.pending).encode("utf-8"))
        self.pending.clear()

    def getvalue(self) -> bytes:
        self._flush()
        return self.buffer.getvalue()


def _json_text(text: str) -> str:
    """A JSON string literal as json_bytes() writes it (UTF-8, <, > and & escaped)."""
    quoted = encode_basestring(text)
    if "<" in quoted or ">" in quoted or "&" in quoted:
        quoted = quoted.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return quoted


def graph_json(index: SiteIndex, urls: UrlMap) -> bytes:
    """The graph as compact JSON (the shape README.md documents), written node by node and edge by edge."""
    out = _Pieces()
    out.write(f'{{"version":{GRAPH_VERSION},"directed":true,'
              f'"base_url":{_json_text(urls.absolute(""))},"nodes":[')
    articles = sorted(index.articles, key=lambda a: (a.date, a.slug))
    separator = ""
    for article in articles:
        out.write(f'{separator}{{"id":{_json_text(node_id(article))},"type":"article","kind":"articles",'
                  f'"name":{_json_text(article.title)},"date":"{article.date.date().isoformat()}"}}')
        separator = ","
    entity_keys = sorted(index.entities)
    for key in entity_keys:
        entity = index.entities[key]
        date_text = f'"{entity.start.isoformat()}"' if entity.start else "null"
        wikidata = _json_text(entity.wikidata) if entity.wikidata else "null"
        stub = "true" if entity.is_stub else "false"
        out.write(f'{separator}{{"id":{_json_text(node_id(entity))},"type":"entity",'
                  f'"kind":{_json_text(entity.kind)},"name":{_json_text(entity.name)},'
                  f'"date":{date_text},"wikidata":{wikidata},"stub":{stub}}}')
        separator = ","
    out.write('],"edges":[')
    separator = ""
    for article in articles:
        source = _json_text(node_id(article))
        for ref in article_references(article):
            out.write(f'{separator}{{"source":{source},"target":{_json_text(f"{ref.kind}/{ref.slug}")},'
                      f'"type":"mentions","origin":{_json_text(ref.origin)}}}')
            separator = ","
    for key in entity_keys:
        entity = index.entities[key]
        source = _json_text(node_id(entity))
        first: dict[tuple[str, str], Reference] = {}
        for ref in entity.references:
            first.setdefault(ref.key, ref)
        for ref in (r for r in first.values() if r.key != key):
            out.write(f'{separator}{{"source":{source},"target":{_json_text(f"{ref.kind}/{ref.slug}")},'
                      f'"type":"relation","origin":{_json_text(ref.origin)}}}')
            separator = ","
    # The co-mentions the site shows (each entity's most frequent partners, from the index),
    # once per pair; every other co-mention can be derived from the "mentions" edges.
    pairs: dict[tuple[str, str], int] = {}
    for key, partners in index.co_mentions.items():
        for other, count in partners:
            pair = sorted((node_id(index.entities[key]), node_id(other)))
            pairs[(pair[0], pair[1])] = count
    for (a, b), count in sorted(pairs.items()):
        out.write(f'{separator}{{"source":{_json_text(a)},"target":{_json_text(b)},'
                  f'"type":"co-mention","weight":{count}}}')
        separator = ","
    out.write("]}\n")
    return out.getvalue()


def annotations_csv(index: SiteIndex) -> bytes:
    """RFC 4180 CSV, written by hand: each text is quoted once (per entity, per article)
    rather than per row, which is most of the cost with the csv module at 70,000 rows."""
    names = {key: _csv_field(entity.name) for key, entity in index.entities.items()}
    out = _Pieces()
    out.write(",".join(ANNOTATION_COLUMNS) + "\r\n")
    for article in sorted(index.articles, key=lambda a: (a.date, a.slug)):
        head = f"{article.slug},{article.date.date().isoformat()}"
        tail = _csv_field(article.source_path)
        for ref in article_references(article):
            out.write(f"{head},{ref.kind},{ref.slug},{names[ref.key]},{ref.origin},{ref.field},{ref.line},"
                      f"{tail}\r\n")
    return out.getvalue()


def _csv_field(text: str) -> str:
    if any(c in text for c in ',"\r\n') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


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
