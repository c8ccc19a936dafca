"""Atom feeds: the site's latest articles at /feed.xml and each entity's at /<kind>/<slug>/feed.xml.

Every link and id is an absolute URL under base_url; an entry's id is its
article's address, which stays the same from build to build. `updated` is
taken from the articles themselves, never from the clock, so an unchanged
archive gives byte-identical feeds. Entries carry the summary, not the
body: a feed announces, the page is where the article is read. An
entity's feed carries at most ENTITY_FEED_ITEMS entries (fewer if
`pagination.feed_items` says so): a feed reader polls for what is new, and
thousands of entity feeds repeating the same summaries made up a tenth of a
large archive's bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from builder.config import Kind, SiteConfig
from builder.index import SiteIndex
from builder.records import Article, Entity
from builder.render import LazyVariables, Page
from builder.urls import entity_path, feed_path

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # `updated` of a feed with nothing in it, ever
ENTITY_FEED_ITEMS = 10  # entries in an entity's feed, at most (WordPress's default for every feed)


@dataclass(frozen=True)
class Feed:
    title: str
    subtitle: str
    path: str  # the feed's own site path
    page_path: str  # the HTML page it follows
    updated: datetime
    articles: tuple[Article, ...]  # newest first
    author: str
    about: Entity | None = None  # an entity's feed: its title names it, so its signature must hold it


def article_updated(article: Article) -> datetime:
    return article.updated or article.date


def feed_pages(index: SiteIndex, config: SiteConfig) -> Iterator[Page]:
    site_newest = _updated(index.articles[: config.feed_items], EPOCH)
    author = config.author or config.title
    yield _page(Feed(config.title, config.description, feed_path(""), "", site_newest,
                     index.articles[: config.feed_items], author))
    for kind in config.kinds:
        for entity in index.by_kind.get(kind.name, ()):
            make = partial(_entity_feed_variables, entity, kind, index, config, site_newest, author)
            yield Page(feed_path(entity_path(kind.name, entity.slug)), "feed.xml",
                       LazyVariables(make, reads=frozenset({"name"})))  # its title names the entity


def _entity_feed_variables(entity: Entity, kind: Kind, index: SiteIndex, config: SiteConfig,
                           site_newest: datetime, author: str) -> dict[str, Any]:
    found = index.articles_of.get(entity.key, ())[:min(config.feed_items, ENTITY_FEED_ITEMS)]
    page_path = entity_path(kind.name, entity.slug)
    return _variables(Feed(f"{entity.name} · {config.title}",
                           f"Articles about {entity.name} ({kind.title_singular.lower()})",
                           feed_path(page_path), page_path, _updated(found, site_newest), found, author,
                           entity))


def _updated(articles: tuple[Article, ...], default: datetime) -> datetime:
    return max((article_updated(a) for a in articles), default=default)


def _page(feed: Feed) -> Page:
    return Page(feed.path, "feed.xml", _variables(feed))


def _variables(feed: Feed) -> dict[str, Any]:
    return {"title": feed.title, "feed": feed}
