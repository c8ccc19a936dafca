"""References resolved, then the index every page is rendered from, built once.

The index holds all derived data: entity -> articles (newest first),
relations both ways, co-mentions, related articles, quotes by actor, and
articles by year. Every step is near-linear in the number of references:
co-mentions count pairs within each article (a handful of entities each),
and related articles look only at date-neighbours in each shared entity's
list rather than at every article that shares an entity.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

from builder.cache import digest, value_bytes
from builder.config import SiteConfig
from builder.errors import Report, did_you_mean
from builder.reader import Content
from builder.records import Article, Entity, EntityKey, Quote, Reference

RELATED_ARTICLES = 5
RELATED_WINDOW = 8  # date-neighbours looked at on each side, per shared entity
CO_MENTIONS = 12
QUOTE_KIND = "actors"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class ResolvedContent:
    articles: tuple[Article, ...]
    entities: Mapping[EntityKey, Entity]  # every referenced entity, stubs included


def resolve_references(content: Content, config: SiteConfig, report: Report) -> ResolvedContent:
    """Every reference points at an entity; a missing one gets a stub and a warning."""
    entities: dict[EntityKey, Entity] = {entity.key: entity for entity in content.entities}
    known = {key for key, entity in entities.items() if not entity.is_stub}
    slugs_by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, slug in entities:
        slugs_by_kind[kind].append(slug)

    def missing(path: str, reference: Reference) -> None:
        if reference.key not in content.unreadable:  # else its own error says why: no misleading warning
            folder = f"{config.content_dir.as_posix()}/{reference.kind}/{reference.slug}.md"
            hint = did_you_mean(reference.slug, slugs_by_kind[reference.kind])
            report.warning(path, reference.line, f"no {folder} for '{reference.slug}'; "
                           "a stub page is made", hint or "create the file to describe it")
        entities.setdefault(reference.key, _stub(reference))

    for article in content.articles:  # each reference is looked up once: keys made inline, no property
        for reference in article.references:
            if (reference.kind, reference.slug) not in known:
                missing(article.source_path, reference)
        for quote in article.quotes:
            if (QUOTE_KIND, quote.by) not in known:
                missing(article.source_path, _quote_reference(quote))
    for entity in content.entities:
        for reference in entity.references:
            if (reference.kind, reference.slug) not in known:
                missing(entity.source_path or "", reference)
    articles = tuple(sorted(content.articles, key=lambda a: (a.date, a.slug), reverse=True))
    return ResolvedContent(articles, MappingProxyType(entities))


def _stub(reference: Reference) -> Entity:
    return Entity(reference.kind, reference.slug, reference.slug.replace("-", " ").title(), None)


def _quote_reference(quote: Quote) -> Reference:
    """A quote's speaker, as a reference to an actor."""
    return Reference(QUOTE_KIND, quote.by, quote.line, "front matter", "quotes")


@dataclass(frozen=True)
class SiteIndex:
    articles: tuple[Article, ...]  # newest first
    entities: Mapping[EntityKey, Entity]
    by_kind: Mapping[str, tuple[Entity, ...]]  # alphabetical by name
    articles_of: Mapping[EntityKey, tuple[Article, ...]]  # newest first
    entities_of: Mapping[str, tuple[Entity, ...]]  # article slug -> its entities, in order
    inline_only: Mapping[str, frozenset[EntityKey]]  # article slug -> linked only in the body
    relations_out: Mapping[EntityKey, tuple[Entity, ...]]
    relations_in: Mapping[EntityKey, tuple[Entity, ...]]
    co_mentions: Mapping[EntityKey, tuple[tuple[Entity, int], ...]]
    related_articles: Mapping[str, tuple[Article, ...]]
    quotes_by: Mapping[EntityKey, tuple[tuple[Quote, Article], ...]]
    by_year: Mapping[int, tuple[Article, ...]]

    def article_count(self, key: EntityKey) -> int:
        return len(self.articles_of.get(key, ()))

    def busiest(self, kind: str, limit: int) -> tuple[Entity, ...]:
        """The entities of a kind with the most articles, most first and then by name.

        Which entities make the cut is decided by count and then slug, never by
        name: renaming an entity then changes only pages that show it (see delta.py).
        """
        counted = [(-self.article_count(e.key), e.slug, e) for e in self.by_kind.get(kind, ())]
        chosen = [e for count, _, e in heapq.nsmallest(limit, counted, key=_count_then_slug) if count]
        return tuple(sorted(chosen, key=lambda e: (-self.article_count(e.key), e.name)))


# memo(name, digest of the inputs, compute) -> compute() or the value it gave for the same inputs.
Memo = Callable[[str, bytes, Callable[[], Any]], Any]


def _no_memo(name: str, inputs: bytes, compute: Callable[[], Any]) -> Any:
    return compute()


def build_index(resolved: ResolvedContent, config: SiteConfig, memo: Memo = _no_memo) -> SiteIndex:
    """The index; `memo` lets a rebuild reuse the two costly rankings when their inputs are unchanged."""
    entities = resolved.entities
    articles = resolved.articles
    by_kind: dict[str, list[Entity]] = {kind.name: [] for kind in config.kinds}
    for entity in entities.values():
        by_kind.setdefault(entity.kind, []).append(entity)

    articles_of: dict[EntityKey, list[Article]] = defaultdict(list)
    entities_of: dict[str, tuple[Entity, ...]] = {}
    keys_of: dict[str, list[EntityKey]] = {}  # the keys of entities_of, for the memos' inputs
    inline_only: dict[str, frozenset[EntityKey]] = {}
    quotes_by: dict[EntityKey, list[tuple[Quote, Article]]] = defaultdict(list)
    by_year: dict[int, list[Article]] = defaultdict(list)
    no_keys: frozenset[EntityKey] = frozenset()
    for article in articles:  # keys made inline: a property call per reference costs a tenth of this
        referenced = [(ref.kind, ref.slug) for ref in article.references]
        quoted = [(QUOTE_KIND, quote.by) for quote in article.quotes]
        keys = list(dict.fromkeys(referenced + quoted if quoted else referenced))
        for key in keys:
            articles_of[key].append(article)
        entities_of[article.slug] = tuple([entities[key] for key in keys])
        keys_of[article.slug] = keys
        front = [ref.origin == "front matter" for ref in article.references]
        inline_only[article.slug] = frozenset(
            key for key, is_front in zip(referenced, front, strict=True) if not is_front).difference(
            [key for key, is_front in zip(referenced, front, strict=True) if is_front], quoted
        ) if not all(front) else no_keys
        for quote in article.quotes:
            quotes_by[(QUOTE_KIND, quote.by)].append((quote, article))
        by_year[article.date.year].append(article)

    keys_bytes = value_bytes(list(keys_of.values()))  # the memos' inputs: which entities each article names
    return in_name_order(SiteIndex(
        articles=articles,
        entities=entities,
        by_kind=_freeze(by_kind),
        articles_of=_freeze(articles_of),
        entities_of=MappingProxyType(entities_of),
        inline_only=MappingProxyType(inline_only),
        relations_out=_freeze(_relations_out(entities)),
        relations_in=_freeze(_relations_in(entities)),
        co_mentions=_freeze(_co_mentions(keys_of, keys_bytes, entities, memo)),
        related_articles=_freeze(_related_articles(articles, entities_of, keys_bytes, articles_of, memo)),
        quotes_by=_freeze(quotes_by),
        by_year=_freeze(by_year),
    ))


def in_name_order(index: SiteIndex) -> SiteIndex:
    """The index with its lists that are shown in order of name sorted so: the only part of it that
    names decide (snapshot.py puts a kept index in order again after a rename). Each order is total,
    so it does not depend on the order the list was in."""
    return replace(
        index,
        by_kind=_sorted_values(index.by_kind, _name_order),
        relations_in=_sorted_values(index.relations_in, _name_order),
        co_mentions=_sorted_values(index.co_mentions, _count_then_name),
    )


def _sorted_values(
    mapping: Mapping[Any, Sequence[Any]], key: Callable[[Any], Any]
) -> Mapping[Any, tuple[Any, ...]]:
    return MappingProxyType({name: tuple(sorted(found, key=key)) for name, found in mapping.items()})


def _count_then_slug(item: tuple[int, str, Entity]) -> tuple[int, str]:
    return item[0], item[1]


def _name_order(entity: Entity) -> tuple[str, str, str]:
    return (entity.name.casefold(), entity.slug, entity.kind)


def _count_then_name(pair: tuple[Entity, int]) -> tuple[int, str, str, str]:
    return (-pair[1], pair[0].name, pair[0].kind, pair[0].slug)


def _freeze(mapping: Mapping) -> Mapping:  # type: ignore[type-arg]
    return MappingProxyType({key: tuple(value) for key, value in mapping.items()})


def _relations_out(entities: Mapping[EntityKey, Entity]) -> dict[EntityKey, list[Entity]]:
    out: dict[EntityKey, list[Entity]] = {}
    for entity in entities.values():
        targets = dict.fromkeys(ref.key for ref in entity.references if ref.key != entity.key)
        if targets:
            out[entity.key] = [entities[key] for key in targets]
    return out


def _relations_in(entities: Mapping[EntityKey, Entity]) -> dict[EntityKey, list[Entity]]:
    incoming: dict[EntityKey, list[Entity]] = defaultdict(list)
    for entity in entities.values():
        for key in dict.fromkeys(ref.key for ref in entity.references):
            if key != entity.key:
                incoming[key].append(entity)
    return incoming  # put in order of name by in_name_order


def _co_mentions(
    keys_of: Mapping[str, list[EntityKey]], keys_bytes: bytes, entities: Mapping[EntityKey, Entity],
    memo: Memo,
) -> dict[EntityKey, list[tuple[Entity, int]]]:
    """Entities sharing articles, most shared first: pairs within each article only."""
    def count() -> dict[EntityKey, list[tuple[EntityKey, int]]]:
        counts: dict[EntityKey, Counter[EntityKey]] = defaultdict(Counter)
        for keys in mentioned:
            for key in keys:
                counts[key].update(keys)  # itself included, removed below: update() runs in C
        ranked: dict[EntityKey, list[tuple[EntityKey, int]]] = {}
        for key, counter in counts.items():
            del counter[key]
            ranked[key] = heapq.nsmallest(CO_MENTIONS, counter.items(), key=lambda item: (-item[1], item[0]))
        return ranked

    # Who makes the cut depends on counts and keys only, so a renamed entity reuses the memo and
    # changes no page that does not show it (see delta.py); the shown order is by count, then name.
    mentioned = list(keys_of.values())
    return {key: [(entities[other], number) for other, number in top]  # ordered by in_name_order
            for key, top in memo("co-mentions", digest(keys_bytes), count).items()}


def _related_articles(
    articles: tuple[Article, ...],
    entities_of: Mapping[str, tuple[Entity, ...]],
    keys_bytes: bytes,
    articles_of: Mapping[EntityKey, list[Article]],
    memo: Memo,
) -> dict[str, list[Article]]:
    """Articles sharing the most (and the rarest) entities, nearest in time first.

    Each shared entity contributes its inverse document frequency; only the
    date-neighbours in each entity's list are candidates, which keeps this
    linear even for an entity that is in thousands of articles. Articles are
    numbered and times are whole microseconds, so the inner loop is cheap.
    """
    micros = [(article.date - _EPOCH) // _MICROSECOND for article in articles]
    inputs = digest(keys_bytes, value_bytes([(article.slug, stamp)  # with keys_bytes, each one's entities
                                             for article, stamp in zip(articles, micros, strict=True)]))
    numbers = memo("related-articles", inputs,
                   lambda: _rank_related(articles, micros, entities_of, articles_of))
    return {article.slug: [articles[other] for other in found] for article, found in zip(articles, numbers,
                                                                                        strict=True)}


def _rank_related(
    articles: tuple[Article, ...],
    micros: list[int],
    entities_of: Mapping[str, tuple[Entity, ...]],
    articles_of: Mapping[EntityKey, list[Article]],
) -> list[list[int]]:
    """For each article (by number), the numbers of its related articles, best first."""
    total = max(len(articles), 1)
    number = {article.slug: n for n, article in enumerate(articles)}
    slug_rank = {slug: rank for rank, slug in enumerate(sorted(number))}
    rank = [slug_rank[article.slug] for article in articles]
    weight = {key: math.log(1 + total / len(found)) for key, found in articles_of.items()}
    numbers_of = {key: [number[a.slug] for a in found] for key, found in articles_of.items()}
    neg_micros = {key: [-micros[n] for n in found] for key, found in numbers_of.items()}
    related: list[list[int]] = []
    for me, article in enumerate(articles):
        scores: dict[int, float] = {}
        stamp = -micros[me]
        for entity in entities_of[article.slug]:
            found = numbers_of[entity.key]
            position = bisect_left(neg_micros[entity.key], stamp)
            entity_weight = weight[entity.key]
            for other in found[max(0, position - RELATED_WINDOW): position + RELATED_WINDOW + 1]:
                scores[other] = scores.get(other, 0.0) + entity_weight
        scores.pop(me, None)
        mine = micros[me]
        ranked = heapq.nsmallest(RELATED_ARTICLES, [
            (-score, abs(micros[other] - mine), rank[other], other) for other, score in scores.items()])
        related.append([other for *_, other in ranked])
    return related
