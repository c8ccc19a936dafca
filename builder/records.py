"""The immutable records the reader builds: one per article and entity.

Nothing after the reader changes them. Derived data (URLs, back-references,
co-mentions) lives in the index, never on a record.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from operator import attrgetter
from types import MappingProxyType
from typing import Any, Literal, TypeVar

Origin = Literal["front matter", "inline"]
EntityKey = tuple[str, str]  # (kind name, slug)
T = TypeVar("T")


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


def pickled_through_init(cls: type[T]) -> type[T]:
    """Class decorator for a dataclass: pickle instances as a call to the class with every field.

    Half the cost of the default (__new__, a failed __setstate__ lookup, a
    __dict__ update) for the wrappers every cached file is kept in; and a field
    added later is pickled too.
    """
    names = [f.name for f in fields(cls) if f.init]  # type: ignore[arg-type]
    values = attrgetter(*names)  # in C: pickling costs no more than the default
    if len(names) == 1:
        cls.__reduce__ = lambda self: (cls, (values(self),))  # type: ignore[method-assign]
    else:
        cls.__reduce__ = lambda self: (cls, values(self))  # type: ignore[method-assign]
    return cls


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


def _pickle_by_fields(cls: type) -> None:
    """Pickle records of `cls` as a restorer function and the field values.

    Loading the record cache is on every build. The restorer makes the object
    and fills each slot through its descriptor, as a generated function (as
    dataclasses generates __init__): twice as fast as calling __init__, whose
    frozen-dataclass assignments go through object.__setattr__, and several
    times faster than dataclasses' own slot-by-slot __setstate__.
    """
    names = cls.__slots__
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls}
    namespace.update({f"set{n}": getattr(cls, name).__set__ for n, name in enumerate(names)})
    values = ", ".join(f"v{n}" for n in range(len(names)))
    sets = "".join(f"    set{n}(record, v{n})\n" for n in range(len(names)))
    exec(f"def restore({values}):\n    record = new(cls)\n{sets}    return record\n", namespace)
    restore = namespace["restore"]
    restore.__name__ = restore.__qualname__ = f"_restore_{cls.__name__}"
    restore.__module__ = __name__
    globals()[restore.__name__] = restore  # pickle finds it by module and name
    fields = attrgetter(*names)
    cls.__reduce__ = lambda record: (restore, fields(record))  # type: ignore[assignment,method-assign]


for _record_type in (Reference, Quote, Fact, Article, Entity):
    _pickle_by_fields(_record_type)
