"""The ways into the archive besides its own links: timeline, archive, search, feeds, data.

pages.all_pages() calls three functions here: `html_pages` (timeline,
archive, search), `annotate` (head data every HTML page carries: JSON-LD,
feed links, an event's place on the timeline) and `feed_pages` (feeds,
sitemap, robots.txt), which need the final list of pages. The build calls
`data_files` (the exports and the search index) in a process of its own
while the pages render.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache, partial
from typing import Any

from builder import archive, datasets, exports, feeds, search, structured, timeline
from builder.cache import SiteCache
from builder.config import SiteConfig
from builder.index import SiteIndex
from builder.records import Article, Entity, EntityKey
from builder.render import Deferred, LazyVariables, Page, RawFile, page_about
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
    """Pages with their structured data and feed links added to their variables (when those are made)."""
    urls = UrlMap(config)
    places = cache(partial(timeline.timeline_places, index))
    references = structured.EntityReferences(urls)
    result = []
    for page in pages:
        about = page_about(page)
        if isinstance(about, Article):
            extra = partial(_article_extra, about, index, config, urls, references)
        elif isinstance(about, Entity):
            extra = partial(_entity_extra, about, urls, places)
        elif page.path == "":
            extra = partial(dict, structured_data=structured.website_data(config, urls))
        else:
            result.append(page)
            continue
        reads = page.context.reads if isinstance(page.context, LazyVariables) else frozenset()
        variables = LazyVariables(partial(_merged, page.context, extra), about, reads)
        result.append(Page(page.path, page.template, variables))
    return result


def _merged(variables: Mapping[str, Any], extra: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    return {**variables, **extra()}


def _article_extra(article: Article, index: SiteIndex, config: SiteConfig, urls: UrlMap,
                   references: structured.EntityReferences) -> dict[str, Any]:
    # article_data reads the article, its entities and the config (in every signature already)
    make = partial(structured.article_data, article, index, config, urls, references)
    return {"structured_data": Deferred(make, (article, index.entities_of.get(article.slug, ())))}


def _entity_extra(entity: Entity, urls: UrlMap,
                  places: Callable[[], Mapping[EntityKey, timeline.TimelinePlace]]) -> dict[str, Any]:
    return {
        "structured_data": Deferred(partial(structured.entity_data, entity, urls), (entity,)),
        "feed_path": feed_path(entity_path(entity.kind, entity.slug)),
        "timeline_place": places().get(entity.key),
    }


def feed_pages(pages: Sequence[Page], index: SiteIndex, config: SiteConfig) -> Iterator[Page]:
    """Feeds, sitemap and robots.txt: templates, rendered like the HTML pages."""
    yield from feeds.feed_pages(index, config)
    yield exports.sitemap_page(pages, index)
    yield exports.robots_page()


def data_files(index: SiteIndex, config: SiteConfig, with_exports: bool = True, with_search: bool = True,
               site_cache: SiteCache | None = None, source_hashes: Mapping[int, bytes] | None = None,
               earlier: datasets.EarlierFile | None = None) -> Iterator[RawFile]:
    """The exports and the search index: bytes computed from the whole index, one file at a time.

    The build makes and stages them in a process of its own while the pages
    render; only notes of what was staged go back, never the bytes. With the
    site's cache (and the records' source hashes, and the last build's files),
    both are updated from the last build's.
    """
    if with_exports:
        yield from datasets.export_files(index, config, site_cache, source_hashes, earlier)
    if with_search:
        yield from search.search_files(index, config, site_cache, source_hashes)
