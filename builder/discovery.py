"""The ways into the archive besides its own links: timeline, archive, search, feeds, data.

pages.all_pages() calls three functions here: `html_pages` (timeline,
archive, search), `annotate` (head data every HTML page carries: JSON-LD,
feed links, an event's place on the timeline) and `feed_pages` (feeds,
sitemap, robots.txt), which need the final list of pages. The build calls
`data_files` (the exports and the search index) in a process of its own
while the pages render.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from functools import partial

from builder import archive, exports, feeds, search, structured, timeline
from builder.config import SiteConfig
from builder.index import SiteIndex
from builder.records import Article, Entity
from builder.render import Deferred, Page, RawFile
from builder.urls import UrlMap, entity_path, feed_path, search_path


def html_pages(index: SiteIndex, config: SiteConfig) -> Iterator[Page]:
    yield timeline.timeline_page(index, config)
    yield from archive.archive_pages(index, config)
    yield Page(search_path(), "search.html", {
        "title": "Search",
        "description": f"Search the articles, {', '.join(k.title.lower() for k in config.kinds)} "
                       f"of {config.title}.",
    })


def annotate(pages: Sequence[Page], index: SiteIndex, config: SiteConfig) -> list[Page]:
    """Pages with their structured data and feed links added to the context."""
    urls = UrlMap(config)
    places = timeline.timeline_places(index)
    website = structured.website_data(config, urls)
    references = structured.EntityReferences(urls)
    result = []
    for page in pages:
        article = page.context.get("article")
        entity = page.context.get("entity")
        extra: dict[str, object] = {}
        if isinstance(article, Article):
            # article_data reads the article, its entities and the config (in every signature already)
            extra["structured_data"] = Deferred(
                partial(structured.article_data, article, index, config, urls, references),
                (article, index.entities_of.get(article.slug, ())))
        elif isinstance(entity, Entity):
            extra["structured_data"] = Deferred(partial(structured.entity_data, entity, urls), (entity,))
            extra["feed_path"] = feed_path(entity_path(entity.kind, entity.slug))
            extra["timeline_place"] = places.get(entity.key)
        elif page.path == "":
            extra["structured_data"] = website
        result.append(replace(page, context={**page.context, **extra}) if extra else page)
    return result


def feed_pages(pages: Sequence[Page], index: SiteIndex, config: SiteConfig) -> Iterator[Page]:
    """Feeds, sitemap and robots.txt: templates, rendered like the HTML pages."""
    yield from feeds.feed_pages(index, config)
    yield exports.sitemap_page(pages, index)
    yield exports.robots_page()


def data_files(index: SiteIndex, config: SiteConfig, with_exports: bool = True) -> Iterator[RawFile]:
    """The exports and the search index: bytes computed from the whole index, one file at a time.

    The build makes and stages them in a process of its own while the pages
    render; only notes of what was staged go back, never the bytes.
    """
    if with_exports:
        yield from exports.export_files(index, config)
    yield from search.search_files(index, config)
