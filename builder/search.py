"""The static search index, built with the site and queried in the browser by static/search.js.

Why an index of our own rather than Pagefind: Pagefind indexes the built
HTML in a second pass (it re-reads and parses every page the builder just
wrote), which costs many seconds at 10,000 articles, more than the whole
build is allowed. We already hold every article's words and every
entity's name and aliases in memory, so a term index is a fraction of a
second here, and it knows what Pagefind cannot: which entities an article
is about (so "Maehara" finds the articles tagged with him even where the
body only says "the Japanese minister") and an entity's aliases.

Layout under search/ (all JSON, fetched lazily by the script):

    manifest.json    {"version", "doc_count", "chunk_size", "kinds": [[name, title], ...],
                      "ranges": [[kind, first id, count], ...], "stopwords": [...],
                      "min_length", "field_weights": [[bit, weight], ...],
                      "shards": {prefix: file name}}
    terms/<f>.json   {term: [[id gaps...], [id, bits, id, bits, ...]]}: the documents
                     holding the term, as gaps between ascending ids, then the field
                     bits of those where it is more than a body word (1 body,
                     2 summary, 4 title or name, 8 an entity the article is about)
    docs/<n>.json    [[kind, href, title, date, text], ...] for ids n*chunk_size onwards;
                     kind 0 is an article, i+1 the site's i-th entity kind

Terms are grouped into shards by their first letters; a shard that grows
too big is split by one more letter, so a query loads only the shards of
its own words and the document chunks of the results it shows. Text is
folded the same way here and in the script: lower case, NFKD, combining
accents dropped, split on anything that is not a letter or digit.
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict, deque
from collections.abc import Iterator, Set
from itertools import repeat
from operator import sub

from builder.config import SiteConfig
from builder.exports import json_bytes
from builder.index import SiteIndex
from builder.records import Article, EntityKey
from builder.render import RawFile
from builder.urls import UrlMap, article_path, entity_path, search_path
from builder.words import MIN_LENGTH, STOPWORDS, terms_of

INDEX_VERSION = 1
CHUNK_SIZE = 100  # documents per docs/<n>.json
SHARD_LIMIT = 48_000  # bytes; a bigger shard is split by one more letter
MAX_PREFIX = 4
SNIPPET = 160
BODY, SUMMARY, TITLE, TAG = 1, 2, 4, 8
# How much a match in each field counts; the script reads these from the manifest.
FIELD_WEIGHTS = ((TITLE, 6), (TAG, 3), (SUMMARY, 2), (BODY, 1))


def _int_array() -> array[int]:
    return array("i")


class _Postings:
    """term -> ascending document ids; field bits other than 'body only' kept aside."""

    def __init__(self) -> None:
        # Arrays of C ints, not lists of Python ones: 25 million postings at 100,000 articles.
        self.ids: dict[str, array[int]] = defaultdict(_int_array)
        self.bits: dict[str, array[int]] = defaultdict(_int_array)  # flat [id, bits, id, bits, ...]

    def add(self, doc_id: int, body: Set[str], title: Set[str] = frozenset(),
            summary: Set[str] = frozenset(), tags: Set[str] = frozenset()) -> None:
        """One document's words. Set operations and C-level maps only: this runs 10,000s of times."""
        special = title | summary | tags
        # Append doc_id to every term's list, in C.
        deque(map(array.append, map(self.ids.__getitem__, body | special), repeat(doc_id)), maxlen=0)
        if not special:
            return
        for bits, region in _regions(body, title, summary, tags):
            if region:
                deque(map(array.extend, map(self.bits.__getitem__, region), repeat((doc_id, bits))), maxlen=0)


def _regions(
    body: Set[str], title: Set[str], summary: Set[str], tags: Set[str]
) -> Iterator[tuple[int, Set[str]]]:
    """The terms of a document by the exact set of fields holding them (title, summary or tag at least)."""
    for bits, region in (
        (TITLE, title - summary - tags), (SUMMARY, summary - title - tags), (TAG, tags - title - summary),
        (TITLE | SUMMARY, (title & summary) - tags), (TITLE | TAG, (title & tags) - summary),
        (SUMMARY | TAG, (summary & tags) - title), (TITLE | SUMMARY | TAG, title & summary & tags),
    ):
        if region:
            yield bits | BODY, region & body
            yield bits, region - body


def _article_postings(articles: tuple[Article, ...], tags: tuple[frozenset[str], ...]) -> _Postings:
    """Postings of every article, from the words the reader found in it."""
    postings = _Postings()
    for doc_id, article in enumerate(articles):
        postings.add(doc_id, set(article.body_terms.split()), set(article.title_terms.split()),
                     set(article.summary_terms.split()), tags[doc_id])
    return postings


def search_files(index: SiteIndex, config: SiteConfig) -> Iterator[RawFile]:
    """The manifest, the term shards and the document chunks."""
    urls = UrlMap(config)
    kind_number = {kind.name: number for number, kind in enumerate(config.kinds, 1)}
    names: dict[EntityKey, frozenset[str]] = {
        key: frozenset(terms_of(" ".join((entity.name, *entity.aliases))))
        for key, entity in index.entities.items()
    }
    tags = tuple(frozenset().union(*(names[e.key] for e in index.entities_of[article.slug]))
                 for article in index.articles)
    postings = _article_postings(index.articles, tags)
    docs: list[list[object]] = [
        [0, urls.href(article_path(a.slug)), a.title, a.date.date().isoformat(), _snippet(a.summary)]
        for a in index.articles
    ]
    ranges = [[0, 0, len(docs)]]
    for kind in config.kinds:
        ranges.append([kind_number[kind.name], len(docs), len(index.by_kind.get(kind.name, ()))])
        for entity in index.by_kind.get(kind.name, ()):
            postings.add(len(docs), set(), title=set(names[entity.key]))
            docs.append([kind_number[kind.name], urls.href(entity_path(kind.name, entity.slug)),
                         entity.name, entity.start.isoformat() if entity.start else "",
                         _snippet(entity.summary)])

    base = search_path()
    shard_files: dict[str, str] = {}
    for prefix, terms in _shards(postings.ids):
        name = _file_name(prefix)
        shard_files[prefix] = name
        bits = postings.bits
        body = {term: [_gaps(postings.ids[term]), bits[term].tolist() if term in bits else []]
                for term in terms}
        yield RawFile(f"{base}terms/{name}.json", json_bytes(body, sort_keys=True))
    for number in range(0, max(1, math.ceil(len(docs) / CHUNK_SIZE))):
        yield RawFile(f"{base}docs/{number}.json",
                      json_bytes(docs[number * CHUNK_SIZE:(number + 1) * CHUNK_SIZE]))
    yield RawFile(f"{base}manifest.json", json_bytes({
        "version": INDEX_VERSION,
        "doc_count": len(docs),
        "chunk_size": CHUNK_SIZE,
        "ranges": ranges,
        "kinds": [["articles", "Articles"], *([k.name, k.title] for k in config.kinds)],
        "stopwords": sorted(STOPWORDS),
        "min_length": MIN_LENGTH,
        "field_weights": FIELD_WEIGHTS,
        "shards": shard_files,
    }))


def _snippet(text: str) -> str:
    if len(text) <= SNIPPET:
        return text
    return text[:SNIPPET].rsplit(" ", 1)[0] + "…"


def _gaps(ids: array[int]) -> list[int]:
    return [ids[0], *map(sub, ids[1:], ids)]


def _shards(postings: dict[str, list[int]]) -> list[tuple[str, list[str]]]:
    """(prefix, terms) groups: by two letters, split further while a group is too big.

    A term no longer than a split group's prefix stays in the group of that
    prefix, so the script's rule is: a term lives in the shard of its
    longest prefix listed in the manifest.
    """
    def size(term: str) -> int:  # close to its JSON size: ids take ~3 bytes, flags 1
        return len(term) + 8 + 3 * len(postings[term])

    result: list[tuple[str, list[str]]] = []

    def place(prefix: str, terms: list[str]) -> None:
        if len(prefix) >= MAX_PREFIX or sum(size(t) for t in terms) <= SHARD_LIMIT:
            result.append((prefix, sorted(terms)))
            return
        groups: dict[str, list[str]] = defaultdict(list)
        for term in terms:
            groups[term[: len(prefix) + 1]].append(term)
        for longer, members in sorted(groups.items()):
            if longer == prefix:
                result.append((prefix, sorted(members)))
            else:
                place(longer, members)

    top: dict[str, list[str]] = defaultdict(list)
    for term in postings:
        top[term[:MIN_LENGTH]].append(term)
    for prefix, terms in sorted(top.items()):
        place(prefix, terms)
    return result


def _file_name(prefix: str) -> str:
    """A safe, case-insensitive-filesystem-proof file name for a shard prefix."""
    return "".join(c if c.isascii() and c.isalnum() else f"_{ord(c):x}" for c in prefix)
