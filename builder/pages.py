"""The pages of the site: which exist, at which path, with which variables.

Each family is a small generator over the index. Contexts hold records and
plain tuples only, so templates stay dumb and pages can be rendered in any
order or in another process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from builder import discovery
from builder.config import Kind, SiteConfig
from builder.index import SiteIndex
from builder.records import Article, Entity
from builder.render import LazyVariables, Page
from builder.urls import article_path, entity_path, kind_path, paginated

HOME_ENTITIES = 8
_TITLE, _NAME = frozenset({"title"}), frozenset({"name"})  # display fields copied into a page's `title`


@dataclass(frozen=True)
class Pagination:
    number: int
    total: int
    previous_path: str | None
    next_path: str | None
    first_item: int  # 1-based position of the first item on this page
    item_count: int


@dataclass(frozen=True)
class KindGroup:
    """Entities of one kind, for panels grouped by kind."""

    kind: Kind
    entities: tuple[Entity, ...]


def all_pages(index: SiteIndex, config: SiteConfig) -> list[Page]:
    """Every page rendered from a template (the data files, discovery.data_files, come separately)."""
    pages = [home_page(index, config), *article_pages(index, config)]
    for kind in config.kinds:
        pages.append(kind_index_page(kind, index))
        pages.extend(entity_pages(kind, index, config))
    pages.extend(discovery.html_pages(index, config))
    pages.append(Page("404.html", "404.html", {"title": "Page not found"}))
    pages = discovery.annotate(pages, index, config)
    return [*pages, *discovery.feed_pages(pages, index, config)]


def home_page(index: SiteIndex, config: SiteConfig) -> Page:
    busiest = tuple(
        (kind, tuple((e, index.article_count(e.key)) for e in index.busiest(kind.name, HOME_ENTITIES)))
        for kind in config.kinds
    )
    return Page("", "home.html", {
        "title": config.title,
        "latest": index.articles[: config.home_articles],
        "busiest": busiest,
        "article_total": len(index.articles),
        "entity_totals": tuple((kind, len(index.by_kind.get(kind.name, ()))) for kind in config.kinds),
    })


def group_by_kind(entities: Sequence[Entity], kinds: Sequence[Kind]) -> tuple[KindGroup, ...]:
    """The entities by kind, in the site's order of kinds, each kind's in their given order."""
    if not entities:
        return ()
    members: dict[str, list[Entity]] = {}
    for entity in entities:
        members.setdefault(entity.kind, []).append(entity)
    return tuple(KindGroup(kind, tuple(members[kind.name])) for kind in kinds if kind.name in members)


def article_pages(index: SiteIndex, config: SiteConfig) -> Iterator[Page]:
    for article in index.articles:
        make = partial(article_context, article, index, config)
        yield Page(article_path(article.slug), "article.html", LazyVariables(make, article, _TITLE))


def article_context(article: Article, index: SiteIndex, config: SiteConfig) -> dict[str, Any]:
    speakers = {e.slug: e for e in index.entities_of[article.slug] if e.kind == "actors"}
    return {
        "title": article.title,
        "article": article,
        "groups": group_by_kind(index.entities_of[article.slug], config.kinds),
        "quotes": tuple((quote, speakers[quote.by]) for quote in article.quotes),
        "related": index.related_articles.get(article.slug, ()),
    }


def kind_index_page(kind: Kind, index: SiteIndex) -> Page:
    entities = index.by_kind.get(kind.name, ())
    return Page(kind_path(kind.name), "kind.html", {
        "title": kind.title,
        "kind": kind,
        "entries": tuple((entity, index.article_count(entity.key)) for entity in entities),
    })


def entity_pages(kind: Kind, index: SiteIndex, config: SiteConfig) -> Iterator[Page]:
    for entity in index.by_kind.get(kind.name, ()):
        yield from pages_of_entity(entity, kind, index, config)


def pages_of_entity(entity: Entity, kind: Kind, index: SiteIndex, config: SiteConfig) -> Iterator[Page]:
    articles = index.articles_of.get(entity.key, ())
    base = entity_path(kind.name, entity.slug)
    shared = cache(partial(_entity_variables, entity, kind, index, config))  # made once, for all its pages
    for number in range(1, page_count(len(articles), config.per_page) + 1):
        make = partial(_entity_page_variables, shared, articles, config.per_page, base, number)
        yield Page(paginated(base, number), "entity.html", LazyVariables(make, entity, _NAME))


def _entity_variables(entity: Entity, kind: Kind, index: SiteIndex, config: SiteConfig) -> dict[str, Any]:
    return {
        "title": entity.name,
        "entity": entity,
        "kind": kind,
        "relations": group_by_kind(index.relations_out.get(entity.key, ()), config.kinds),
        "related_from": group_by_kind(index.relations_in.get(entity.key, ()), config.kinds),
        "co_mentions": index.co_mentions.get(entity.key, ()),
        "quotes": index.quotes_by.get(entity.key, ()),
        "article_total": len(index.articles_of.get(entity.key, ())),
    }


def _entity_page_variables(shared: Callable[[], dict[str, Any]], articles: Sequence[Article], size: int,
                           base: str, number: int) -> dict[str, Any]:
    chunk, pagination = page_of(articles, size, base, number)
    return {**shared(), "articles": chunk, "pagination": pagination}


def page_count(items: int, size: int) -> int:
    """How many pages `items` items take, `size` a page; an empty list still has its first page."""
    return max(1, -(-items // size))


def page_of(items: Sequence[Any], size: int, base: str, number: int) -> tuple[Sequence[Any], Pagination]:
    """The items on page `number` (from 1) and where that page stands."""
    total = page_count(len(items), size)
    return items[(number - 1) * size: number * size], Pagination(
        number=number,
        total=total,
        previous_path=paginated(base, number - 1) if number > 1 else None,
        next_path=paginated(base, number + 1) if number < total else None,
        first_item=(number - 1) * size + 1,
        item_count=len(items),
    )
