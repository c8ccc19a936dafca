"""The timeline: dated entities (events) and articles in date order, and an event's place in it.

An entity is on the timeline when its file gives a `date` (or `start` and
`end`); undated entities of the events kind are listed after it, so every
event appears. An event's neighbours are the nearest earlier and later
events that share an actor, a country or any other undated entity with it.
Each shared entity's events are kept in date order and only the few around
the event are looked at, so this stays near-linear even when a country is
linked to thousands of events.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from types import MappingProxyType
from typing import Any

from builder.config import SiteConfig
from builder.index import SiteIndex
from builder.records import Article, Entity, EntityKey
from builder.render import LazyVariables, Page
from builder.urls import timeline_path

EVENT_KIND = "events"
EVENT_ARTICLES = 3  # articles shown under an event on the timeline
NEIGHBOURS = 3  # earlier and later events shown on an event page


@dataclass(frozen=True)
class TimelineEntry:
    """An article, or an event with its span and its latest articles."""

    day: date
    article: Article | None = None
    event: Entity | None = None
    event_articles: tuple[Article, ...] = ()
    article_total: int = 0


@dataclass(frozen=True)
class TimelineYear:
    year: int
    anchor: str
    entries: tuple[TimelineEntry, ...]
    event_count: int
    article_count: int


@dataclass(frozen=True)
class Neighbour:
    event: Entity
    shared: tuple[Entity, ...]  # what links it to the event whose page this is


@dataclass(frozen=True)
class TimelinePlace:
    earlier: tuple[Neighbour, ...]  # nearest first
    later: tuple[Neighbour, ...]


def year_anchor(year: int) -> str:
    return f"y{year}"


def dated_events(index: SiteIndex) -> list[Entity]:
    return sorted((e for e in index.entities.values() if e.start is not None), key=_event_order)


def _event_order(entity: Entity) -> tuple[date, str, str]:
    assert entity.start is not None
    return (entity.start, entity.kind, entity.slug)


def timeline_page(index: SiteIndex, config: SiteConfig) -> Page:
    """Every dated event and article by year (its variables made only if it is signed: a body
    edit, say, leaves it alone)."""
    return Page(timeline_path(), "timeline.html", LazyVariables(partial(_timeline_variables, index)))


def _timeline_variables(index: SiteIndex) -> dict[str, Any]:
    entries: list[tuple[tuple[date, int, str], TimelineEntry]] = []
    for event in dated_events(index):
        assert event.start is not None
        found = index.articles_of.get(event.key, ())
        entries.append(((event.start, 0, event.slug),
                        TimelineEntry(event.start, event=event, event_articles=found[:EVENT_ARTICLES],
                                      article_total=len(found))))
    for article in index.articles:
        day = article.date.date()
        order = (day, 1, article.date.isoformat() + article.slug)
        entries.append((order, TimelineEntry(day, article=article)))
    entries.sort(key=lambda item: item[0])
    by_year: dict[int, list[TimelineEntry]] = defaultdict(list)
    for _, entry in entries:
        by_year[entry.day.year].append(entry)
    years = tuple(
        TimelineYear(year, year_anchor(year), tuple(items),
                     sum(1 for e in items if e.event), sum(1 for e in items if e.article))
        for year, items in sorted(by_year.items())
    )
    undated = tuple(e for e in index.by_kind.get(EVENT_KIND, ()) if e.start is None)
    newest = index.articles[0].date.date() if index.articles else None
    return {
        "title": "Timeline",
        "description": "Events and articles of the archive in date order.",
        "years": years,
        "undated": tuple((e, index.article_count(e.key)) for e in undated),
        "lastmod": newest,
    }


def timeline_places(index: SiteIndex) -> Mapping[EntityKey, TimelinePlace]:
    """Each dated event's nearest earlier and later events sharing an undated entity."""
    events = dated_events(index)
    links: dict[EntityKey, list[Entity]] = {}
    events_of: dict[EntityKey, list[Entity]] = defaultdict(list)
    for event in events:
        shared = [e for e in (*index.relations_out.get(event.key, ()), *index.relations_in.get(event.key, ()))
                  if e.start is None]
        links[event.key] = list({e.key: e for e in shared}.values())
        for entity in links[event.key]:
            events_of[entity.key].append(event)  # in date order, since `events` is
    orders = {key: [_event_order(e) for e in found] for key, found in events_of.items()}
    places: dict[EntityKey, TimelinePlace] = {}
    for event in events:
        own = _event_order(event)
        candidates: dict[EntityKey, tuple[Entity, list[Entity]]] = {}
        for entity in links[event.key]:
            found = events_of[entity.key]
            position = bisect_left(orders[entity.key], own)
            for other in found[max(0, position - NEIGHBOURS): position + NEIGHBOURS + 1]:
                if other.key != event.key:
                    candidates.setdefault(other.key, (other, []))[1].append(entity)
        earlier = sorted((c for c in candidates.values() if _event_order(c[0]) < own),
                         key=lambda c: _event_order(c[0]), reverse=True)
        later = sorted((c for c in candidates.values() if _event_order(c[0]) > own),
                       key=lambda c: _event_order(c[0]))
        if earlier or later:
            places[event.key] = TimelinePlace(
                tuple(Neighbour(e, tuple(s)) for e, s in earlier[:NEIGHBOURS]),
                tuple(Neighbour(e, tuple(s)) for e, s in later[:NEIGHBOURS]),
            )
    return MappingProxyType(places)
