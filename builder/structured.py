"""schema.org JSON-LD for articles, entities and the home page.

The data is built here as plain dicts and written into the page by the
template with Jinja's `tojson`, which turns <, >, & and ' into \\u003c-style
escapes: text from content cannot close the <script> element or open
another one. An article's front-matter references are what it is `about`;
entities only linked inline in its body are what it `mentions`. An
article's summary is not repeated here: the page's meta description (and
og:description) carries it, and Google's Article data does not use it;
nor are `mainEntityOfPage`, which would only repeat `url`, and `isPartOf`
(the home page's JSON-LD describes the WebSite once).
"""

from __future__ import annotations

from typing import Any

from builder.config import SiteConfig
from builder.index import SiteIndex
from builder.records import Article, Entity, EntityKey
from builder.urls import UrlMap, article_path, entity_path, search_path

SCHEMA = "https://schema.org"
WIKIDATA = "https://www.wikidata.org/wiki/"
# A `type:` in an entity's front matter, else its kind, decides its schema.org type.
TYPE_BY_ENTITY_TYPE = {
    "person": "Person",
    "organisation": "Organization",
    "organization": "Organization",
    "party": "Organization",
    "government": "Organization",
    "company": "Organization",
    "country": "Country",
    "place": "Place",
    "city": "City",
    "event": "Event",
}
TYPE_BY_KIND = {"actors": "Person", "countries": "Country", "events": "Event"}
# The records' display fields (delta.DISPLAY_FIELDS) the structured data of an article's page reads
# (of the article and the entities it names), and of an entity's page.
ARTICLE_DATA_READS = frozenset({"title", "source", "byline", "word_count", "name", "entity_type", "wikidata"})
ENTITY_DATA_READS = frozenset({"name", "entity_type", "wikidata", "summary"})


def schema_type(entity: Entity) -> str:
    return TYPE_BY_ENTITY_TYPE.get(entity.entity_type) or TYPE_BY_KIND.get(entity.kind, "Thing")


def entity_reference(entity: Entity, urls: UrlMap) -> dict[str, Any]:
    """An entity as it appears inside another item: type, name, address, Wikidata."""
    data: dict[str, Any] = {
        "@type": schema_type(entity),
        "name": entity.name,
        "url": urls.absolute(entity_path(entity.kind, entity.slug)),
    }
    if entity.wikidata:
        data["sameAs"] = WIKIDATA + entity.wikidata
    return data


class EntityReferences(dict[EntityKey, dict[str, Any]]):
    """entity_reference() of each entity, made once however many articles name it."""

    def __init__(self, urls: UrlMap) -> None:
        super().__init__()
        self.urls = urls

    def of(self, entity: Entity) -> dict[str, Any]:
        found = self.get(entity.key)
        if found is None:
            found = self[entity.key] = entity_reference(entity, self.urls)
        return found


def article_data(article: Article, index: SiteIndex, config: SiteConfig, urls: UrlMap,
                 references: EntityReferences | None = None) -> dict[str, Any]:
    address = urls.absolute(article_path(article.slug))
    inline_only = index.inline_only.get(article.slug, frozenset())
    entities = index.entities_of.get(article.slug, ())
    refs = references if references is not None else EntityReferences(urls)
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "NewsArticle",
        "headline": article.title,
        "url": address,
        "datePublished": _iso(article.date),
        "dateModified": _iso(article.updated or article.date),
        "inLanguage": config.language,
        "publisher": {"@type": "Organization", "name": article.source or config.author or config.title},
        "about": [refs.of(e) for e in entities if e.key not in inline_only],
    }
    if inline_only:
        data["mentions"] = [refs.of(e) for e in entities if e.key in inline_only]
    if article.byline:
        data["author"] = {"@type": "Person", "name": article.byline}
    else:
        data["author"] = {"@type": "Organization", "name": article.source or config.author or config.title}
    if article.word_count:
        data["wordCount"] = article.word_count
    return data


def entity_data(entity: Entity, urls: UrlMap) -> dict[str, Any]:
    data = {"@context": SCHEMA, **entity_reference(entity, urls)}
    if entity.aliases:
        data["alternateName"] = list(entity.aliases)
    if entity.summary:
        data["description"] = entity.summary
    if entity.start is not None:
        data["startDate"] = entity.start.isoformat()
    if entity.end is not None:
        data["endDate"] = entity.end.isoformat()
    return data


def website_data(config: SiteConfig, urls: UrlMap) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "WebSite",
        "name": config.title,
        "url": urls.absolute(""),
        "inLanguage": config.language,
        "potentialAction": {
            "@type": "SearchAction",
            "target": urls.absolute(search_path()) + "?q={query}",
            "query-input": "required name=query",
        },
    }
    if config.description:
        data["description"] = config.description
    return data


def _iso(value: Any) -> str:
    return str(value.isoformat(timespec="seconds") if hasattr(value, "hour") else value.isoformat())
