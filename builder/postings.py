"""The search index's postings (term -> documents), and how a rebuild updates them in place.

Filing every article's words is most of the search index's cost (two
million postings at 10,000 articles), yet an edit usually changes one
article. So the article postings are kept in the cache with a key per
article (a hash of all the index reads from it); a rebuild with the same
articles in the same order takes out the old postings of the articles whose
key changed and files their new ones. That equals filing every article
again, term for term: ids stay ascending, field bits in id order.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from hashlib import sha256
from itertools import chain, repeat

from builder.cache import digest
from builder.records import Article, Entity

BODY, SUMMARY, TITLE, TAG = 1, 2, 4, 8
# Refiling a document bisects every term's ids: file everything afresh when the changed documents
# times the terms pass this share of all postings (or, for a small site, this many bisections).
_REFILE_SHARE = 0.5
_REFILE_FLOOR = 100_000


def _int_array() -> array[int]:
    return array("i")


class Postings:
    """term -> ascending document ids; field bits other than 'body only' kept aside."""

    def __init__(self) -> None:
        # Arrays of C ints, not lists of Python ones: 25 million postings at 100,000 articles.
        self.ids: dict[str, array[int]] = defaultdict(_int_array)
        self.bits: dict[str, array[int]] = defaultdict(_int_array)  # flat [id, bits, id, bits, ...]

    def add(self, doc_id: int, body: Iterable[str], title: Set[str] = frozenset(),
            summary: Set[str] = frozenset(), tags: Set[str] = frozenset()) -> None:
        """One document, its id above all filed so far; `body` holds distinct words (as the reader
        stores them), so they need no set of their own.

        C-level maps and set operations only: this runs 10,000s of times.
        """
        ids = self.ids.__getitem__
        deque(map(array.append, map(ids, body), repeat(doc_id)), maxlen=0)
        special = title | summary | tags
        if not special:
            return
        outside = special.difference(body)  # title, summary or tag words the body does not have
        deque(map(array.append, map(ids, outside), repeat(doc_id)), maxlen=0)
        for bits, region in _regions(special - outside, title, summary, tags):
            if region:
                deque(map(array.extend, map(self.bits.__getitem__, region), repeat((doc_id, bits))), maxlen=0)

    def fields_of(self, doc_id: int) -> dict[str, int]:
        """term -> field bits (0: body only) of a filed document, found by bisecting every term."""
        found = {term: 0 for term, ids in self.ids.items()
                 if (at := bisect_left(ids, doc_id)) < len(ids) and ids[at] == doc_id}
        for term in found:
            flat = self.bits.get(term)
            if flat and (at := _pair_position(flat, doc_id)) < len(flat) and flat[at] == doc_id:
                found[term] = flat[at + 1]
        return found

    def refile(self, doc_id: int, old: dict[str, int], new: dict[str, int]) -> set[str]:
        """Replace a filed document's fields `old` by `new`; the terms whose postings changed."""
        changed = {term for term in old.keys() | new.keys() if old.get(term, -1) != new.get(term, -1)}
        for term in changed:
            if term in old:
                ids = self.ids[term]
                del ids[bisect_left(ids, doc_id)]
                if not ids:
                    del self.ids[term]
                if old[term]:
                    flat = self.bits[term]
                    at = _pair_position(flat, doc_id)
                    del flat[at:at + 2]
                    if not flat:
                        del self.bits[term]
            if term in new:
                ids = self.ids[term]
                ids.insert(bisect_left(ids, doc_id), doc_id)
                if new[term]:
                    flat = self.bits[term]
                    at = _pair_position(flat, doc_id)
                    flat[at:at] = array("i", (doc_id, new[term]))
        return changed

    def count(self) -> int:
        return sum(map(len, self.ids.values()))


def _pair_position(flat: array[int], doc_id: int) -> int:
    """Where doc_id's (id, bits) pair is, or would go, in a flat [id, bits, ...] array."""
    return 2 * bisect_left(flat[::2], doc_id)


def _regions(
    in_body: Set[str], title: Set[str], summary: Set[str], tags: Set[str]
) -> Iterator[tuple[int, Set[str]]]:
    """The title, summary and tag words of a document by the exact set of fields holding them;
    `in_body`: those of them also in the body (or all body words)."""
    for bits, region in (
        (TITLE, title - summary - tags), (SUMMARY, summary - title - tags), (TAG, tags - title - summary),
        (TITLE | SUMMARY, (title & summary) - tags), (TITLE | TAG, (title & tags) - summary),
        (SUMMARY | TAG, (summary & tags) - title), (TITLE | SUMMARY | TAG, title & summary & tags),
    ):
        if region:
            yield bits | BODY, region & in_body
            yield bits, region - in_body


def _fields(body: Iterable[str], title: Set[str], summary: Set[str], tags: Set[str]) -> dict[str, int]:
    """term -> field bits (0: body only) of a document, as Postings.add files them."""
    special = title | summary | tags
    fields = dict.fromkeys(chain(body, special), 0)
    for bits, region in _regions(special.intersection(body), title, summary, tags):
        fields.update(dict.fromkeys(region, bits))
    return fields


def article_keys(
    articles: Sequence[Article], entities_of: Mapping[str, Sequence[Entity]],
    source_hashes: Mapping[int, bytes],
) -> list[bytes]:
    """A hash per article of all the search index takes from it: its words and result row, and the
    name and aliases of each entity it is about (it is tagged with their words).

    An article is all in its source file, so where `source_hashes` (id of a
    record -> hash of its file) knows it, that hash stands for it; otherwise
    its fields are hashed. This runs over every article on every build: one
    hash call each, and each entity's hash is found by the object's id, in C.
    """
    mentioned = tuple(chain.from_iterable(entities_of.values()))
    entity_key = {identity: digest(entity.name, *entity.aliases)
                  for identity, entity in dict(zip(map(id, mentioned), mentioned, strict=True)).items()}
    return [sha256((source_hashes.get(id(a)) or _fields_text(a))
                   + b"".join(map(entity_key.__getitem__, map(id, entities_of[a.slug])))).digest()
            for a in articles]


def _fields_text(a: Article) -> bytes:
    """What the index reads from an article, unambiguously: free text length-prefixed, word
    lists (free of NUL) NUL-terminated."""
    return (f"{len(a.title)}:{a.title}{len(a.summary)}:{a.summary}{a.date.date().isoformat()}\0"
            f"{a.title_terms}\0{a.summary_terms}\0{a.body_terms}\0").encode("utf-8", "surrogatepass")


@dataclass
class ArticlePostings:
    """The postings of the articles (ids 0 onwards) and what they were filed from."""

    slugs: tuple[str, ...]
    keys: list[bytes]  # see article_keys
    postings: Postings


def file_articles(
    articles: Sequence[Article], keys: list[bytes], tags_of: Callable[[Iterable[int]], list[frozenset[str]]],
    previous: ArticlePostings | None,
) -> tuple[ArticlePostings, set[int] | None, set[str] | None]:
    """The articles' postings, updating `previous` (which it takes over) when that is cheaper;
    `tags_of(ids)`: the tag words of those articles.

    Also returns which articles and which terms changed since `previous`, or
    None for each when everything was filed afresh.
    """
    slugs = tuple(article.slug for article in articles)
    if previous is not None and previous.slugs == slugs:
        changed = [doc_id for doc_id, (key, old) in enumerate(zip(keys, previous.keys, strict=True))
                   if key != old]
        postings = previous.postings
        if len(changed) * len(postings.ids) <= max(_REFILE_SHARE * postings.count(), _REFILE_FLOOR):
            terms: set[str] = set()
            for doc_id, tags in zip(changed, tags_of(changed), strict=True):
                new = _fields(*_words(articles[doc_id]), tags)
                terms |= postings.refile(doc_id, postings.fields_of(doc_id), new)
            return ArticlePostings(slugs, keys, postings), set(changed), terms
    postings = Postings()
    for doc_id, (article, tags) in enumerate(zip(articles, tags_of(range(len(articles))), strict=True)):
        postings.add(doc_id, article.body_terms.split(), set(article.title_terms.split()),
                     set(article.summary_terms.split()), tags)
    return ArticlePostings(slugs, keys, postings), None, None


def _words(article: Article) -> tuple[list[str], set[str], set[str]]:
    return article.body_terms.split(), set(article.title_terms.split()), set(article.summary_terms.split())


def differing_terms(old: Postings, new: Postings) -> set[str]:
    """The terms whose postings differ between two sets of postings."""
    return {term for term in old.ids.keys() | new.ids.keys()
            if old.ids.get(term) != new.ids.get(term) or old.bits.get(term) != new.bits.get(term)}
