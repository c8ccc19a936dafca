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
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from operator import sub

from builder.cache import SiteCache, digest
from builder.config import SiteConfig
from builder.exports import json_bytes
from builder.index import SiteIndex
from builder.postings import (
    BODY,
    SUMMARY,
    TAG,
    TITLE,
    ArticlePostings,
    Postings,
    article_keys,
    differing_terms,
    file_articles,
)
from builder.records import Entity, EntityKey
from builder.render import RawFile
from builder.urls import UrlMap, article_path, entity_path, search_path
from builder.words import MIN_LENGTH, STOPWORDS, terms_of

INDEX_VERSION = 1
CHUNK_SIZE = 100  # documents per docs/<n>.json
SHARD_LIMIT = 48_000  # bytes; a bigger shard is split by one more letter
MAX_PREFIX = 4
SNIPPET = 160
_KEPT = "search"
# How much a match in each field counts; the script reads these from the manifest.
FIELD_WEIGHTS = ((TITLE, 6), (TAG, 3), (SUMMARY, 2), (BODY, 1))


@dataclass
class _Entities:
    """The entities' documents (ids after the articles'): postings, result rows, ranges per kind."""

    key: bytes  # a hash of all they were made from
    postings: Postings
    rows: list[list[object]]
    ranges: list[list[int]]


@dataclass
class _Kept:
    """What a build keeps in the cache for the next to update: postings, rows and file bytes."""

    articles: ArticlePostings
    entities: _Entities
    shards: dict[str, tuple[list[str], bytes]]  # prefix -> its terms, its file
    chunks: list[bytes]


def search_files(index: SiteIndex, config: SiteConfig, cache: SiteCache | None = None,
                 source_hashes: Mapping[int, bytes] | None = None) -> Iterator[RawFile]:
    """The index's files; in relative mode each JSON file also as a script that hands it over.

    A page opened from file:// may not fetch() its neighbours, but it may load
    scripts: search/x.js calls `builderSearch("x.json", data)`, which
    static/search.js turns into the same object fetch() would have given.
    """
    files = _json_files(index, config, cache, source_hashes)
    if not config.relative_links:
        yield from files
        return
    base = search_path()
    for file in files:
        yield file
        name = file.path.removeprefix(base)
        yield RawFile(f"{base}{name.removesuffix('.json')}.js",
                      b"builderSearch(" + json_bytes(name).rstrip() + b"," + file.data.rstrip() + b");\n")


def _json_files(index: SiteIndex, config: SiteConfig, cache: SiteCache | None,
                source_hashes: Mapping[int, bytes] | None) -> Iterator[RawFile]:
    """The manifest, the term shards and the document chunks.

    With a cache, the last build's index is updated rather than remade: the
    postings of changed articles are refiled (see postings.py), and a shard
    or chunk is serialised again only if something in it changed.
    `source_hashes` (id of a record -> hash of its source file) saves hashing
    what the index reads from each article to see which ones changed.
    """
    urls = UrlMap(config)
    kept = cache.kept(_KEPT) if cache is not None else None
    previous = kept if isinstance(kept, _Kept) else None
    articles = index.articles
    names = _Names(index.entities)

    def tags_of(doc_ids: Iterable[int]) -> list[frozenset[str]]:
        return [frozenset().union(*[names[entity.key] for entity in index.entities_of[articles[doc_id].slug]])
                for doc_id in doc_ids]

    filed, changed_docs, changed_terms = file_articles(
        articles, article_keys(articles, index.entities_of, source_hashes or {}), tags_of,
        previous.articles if previous is not None else None)
    entities = _entities(index, config, urls, names, previous.entities if previous is not None else None)
    if previous is None or changed_docs is None or changed_terms is None:
        previous = changed_docs = changed_terms = None  # nothing to reuse
    elif entities is not previous.entities:
        changed_terms |= differing_terms(previous.entities.postings, entities.postings)
    entity_rows = entities.rows
    serialised = 0

    base = search_path()
    shards: dict[str, tuple[list[str], bytes]] = {}
    for prefix, terms in _shards(_counts(filed.postings, entities.postings)):
        old = previous.shards.get(prefix) if previous is not None else None
        if old is not None and old[0] == terms and changed_terms is not None \
                and changed_terms.isdisjoint(terms):
            data = old[1]
        else:
            data = json_bytes({term: _term_postings(term, filed.postings, entities.postings)
                               for term in terms})  # in order: _shards sorts them
            serialised += 1
        shards[prefix] = (terms, data)
        yield RawFile(f"{base}terms/{_file_name(prefix)}.json", data)

    doc_count = len(articles) + len(entity_rows)
    changed_chunks = {doc_id // CHUNK_SIZE for doc_id in changed_docs or ()}
    chunks: list[bytes] = []
    for number in range(0, max(1, math.ceil(doc_count / CHUNK_SIZE))):
        first, end = number * CHUNK_SIZE, (number + 1) * CHUNK_SIZE
        entity_slice = slice(max(0, first - len(articles)), max(0, end - len(articles)))
        if previous is not None and number < len(previous.chunks) and number not in changed_chunks \
                and previous.entities.rows[entity_slice] == entity_rows[entity_slice]:
            data = previous.chunks[number]
        else:
            data = json_bytes([*([0, urls.link_from(base, article_path(a.slug)), a.title,
                                  a.date.date().isoformat(), _snippet(a.summary)]
                                 for a in articles[first:end]),
                               *entity_rows[entity_slice]])
            serialised += 1
        chunks.append(data)
        yield RawFile(f"{base}docs/{number}.json", data)
    yield RawFile(f"{base}manifest.json", json_bytes({
        "version": INDEX_VERSION,
        "doc_count": doc_count,
        "chunk_size": CHUNK_SIZE,
        "ranges": entities.ranges,
        "kinds": [["articles", "Articles"], *([k.name, k.title] for k in config.kinds)],
        "stopwords": sorted(STOPWORDS),
        "min_length": MIN_LENGTH,
        "field_weights": FIELD_WEIGHTS,
        "shards": {prefix: _file_name(prefix) for prefix in shards},
    }))
    if cache is not None and (previous is None or serialised or changed_docs
                              or shards.keys() != previous.shards.keys()
                              or len(chunks) != len(previous.chunks)):
        cache.keep(_KEPT, _Kept(filed, entities, shards, chunks))


class _Names(dict[EntityKey, frozenset[str]]):
    """entity key -> its name and aliases as search words, folded when first asked for."""

    def __init__(self, entities: Mapping[EntityKey, Entity]) -> None:
        super().__init__()
        self.entities = entities

    def __missing__(self, key: EntityKey) -> frozenset[str]:
        entity = self.entities[key]
        words = self[key] = frozenset(terms_of(" ".join((entity.name, *entity.aliases))))
        return words


def _entities(index: SiteIndex, config: SiteConfig, urls: UrlMap, names: _Names,
              previous: _Entities | None) -> _Entities:
    """The entities' documents, or `previous` if made from the same entities after as many articles."""
    first = len(index.articles)
    kinds = [(number, kind.name, index.by_kind.get(kind.name, ()))
             for number, kind in enumerate(config.kinds, 1)]
    key = digest(str(first), repr([(number, name, [(e.slug, e.name, e.aliases, e.start, e.summary)
                                                   for e in members]) for number, name, members in kinds]))
    if previous is not None and previous.key == key:
        return previous
    postings = Postings()
    rows: list[list[object]] = []
    ranges = [[0, 0, first]]
    for number, name, members in kinds:
        ranges.append([number, first + len(rows), len(members)])
        for entity in members:
            postings.add(first + len(rows), set(), title=set(names[entity.key]))
            rows.append([number, urls.link_from(search_path(), entity_path(name, entity.slug)), entity.name,
                         entity.start.isoformat() if entity.start else "", _snippet(entity.summary)])
    return _Entities(key, postings, rows, ranges)


def _counts(*postings: Postings) -> dict[str, int]:
    """term -> how many documents hold it."""
    counts: dict[str, int] = {}
    for each in postings:
        for term, ids in each.ids.items():
            counts[term] = counts.get(term, 0) + len(ids)
    return counts


def _term_postings(term: str, articles: Postings, entities: Postings) -> list[list[int]]:
    """A term's entry in its shard: [id gaps, flat (id, bits) pairs]; entity ids come after articles'."""
    bits = _joined(articles.bits.get(term), entities.bits.get(term))
    return [_gaps(_joined(articles.ids.get(term), entities.ids.get(term))), bits.tolist() if bits else []]


def _joined(first: array[int] | None, second: array[int] | None) -> array[int] | None:
    return first + second if first and second else first or second


def _snippet(text: str) -> str:
    if len(text) <= SNIPPET:
        return text
    return text[:SNIPPET].rsplit(" ", 1)[0] + "…"


def _gaps(ids: array[int] | None) -> list[int]:
    assert ids, "every term is in a document"
    return [ids[0], *map(sub, ids[1:], ids)]


def _shards(counts: dict[str, int]) -> list[tuple[str, list[str]]]:
    """(prefix, terms) groups: by two letters, split further while a group is too big.

    A term no longer than a split group's prefix stays in the group of that
    prefix, so the script's rule is: a term lives in the shard of its
    longest prefix listed in the manifest.
    """
    def size(term: str) -> int:  # close to its JSON size: ids take ~3 bytes, flags 1
        return len(term) + 8 + 3 * counts[term]

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
    for term in counts:
        top[term[:MIN_LENGTH]].append(term)
    for prefix, terms in sorted(top.items()):
        place(prefix, terms)
    return result


def _file_name(prefix: str) -> str:
    """A safe, case-insensitive-filesystem-proof file name for a shard prefix."""
    return "".join(c if c.isascii() and c.isalnum() else f"_{ord(c):x}" for c in prefix)
