"""The immutable records the reader builds: one per article and entity.

Nothing after the reader changes them. Derived data (URLs, back-references,
co-mentions) lives in the index, never on a record.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Literal

Origin = Literal["front matter", "inline"]
EntityKey = tuple[str, str]  # (kind name, slug)


@dataclass(frozen=True, slots=True)
class Reference:
    """A pointer from a source file to an entity, with where it was written."""

    kind: str
    slug: str
    line: int
    origin: Origin = "front matter"
    field: str = ""

    @property
    def key(self) -> EntityKey:
        return (self.kind, self.slug)


@dataclass(frozen=True, slots=True)
class Quote:
    by: str  # an actor's slug
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Fact:
    """A plain front-matter field shown on an entity page (label and text)."""

    name: str
    label: str
    value: str
    is_url: bool = False


def _reduce_by_fields(record: Any) -> tuple[Any, ...]:
    """Pickle a record as its class and field values: unpickling calls __init__, several times
    faster than dataclasses' slot-by-slot __setstate__ (loading the record cache is on every build)."""
    return (type(record), tuple(getattr(record, name) for name in record.__slots__))


def frozen_mapping(values: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(values or {}))


@dataclass(frozen=True, slots=True)
class Article:
    source_path: str  # relative to the site folder, with '/' separators
    slug: str
    title: str
    date: datetime  # time-zone aware
    date_has_time: bool
    byline: str
    source: str
    source_url: str
    summary: str  # plain text
    body_packed: bytes  # the body's HTML, compressed: see pack_html
    references: tuple[Reference, ...]
    quotes: tuple[Quote, ...] = ()
    draft: bool = False
    updated: datetime | None = None
    word_count: int = 0
    body_terms: str = ""  # the distinct search words of the body, space-separated (see words.py)
    title_terms: str = ""  # ... of the title
    summary_terms: str = ""  # ... of the summary
    extra: Mapping[str, Any] = field(default_factory=frozen_mapping)

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def body_html(self) -> str:
        return zlib.decompress(self.body_packed).decode("utf-8")


def pack_html(html: str) -> bytes:
    """An article body as kept in memory and in the cache: zlib-compressed UTF-8.

    Bodies are most of what a build holds (70 MiB as Python strings at
    10,000 articles, 15 MiB packed); each is unpacked once, when its page renders.
    """
    return zlib.compress(html.encode("utf-8"), 1)


@dataclass(frozen=True, slots=True)
class Entity:
    kind: str
    slug: str
    name: str
    source_path: str | None  # None for a stub: referenced but has no file
    aliases: tuple[str, ...] = ()
    summary: str = ""  # plain text
    description_html: str = ""
    facts: tuple[Fact, ...] = ()
    references: tuple[Reference, ...] = ()
    wikidata: str = ""
    entity_type: str = ""  # e.g. person or organisation, for structured data
    start: date | None = None  # an event's date, or the start of its span
    end: date | None = None
    extra: Mapping[str, Any] = field(default_factory=frozen_mapping)

    @property
    def key(self) -> EntityKey:
        return (self.kind, self.slug)

    @property
    def is_stub(self) -> bool:
        return self.source_path is None


for _record_type in (Reference, Quote, Fact, Article, Entity):
    _record_type.__reduce__ = _reduce_by_fields  # type: ignore[assignment,method-assign]
