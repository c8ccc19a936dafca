"""Typed access to front-matter fields, each problem located at its key's line.

Front-matter text is plain text: it is kept as written here and escaped
wherever it is output. A field named after a kind (plural list or singular
value) is a reference; dates are parsed only where a date belongs.
"""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any

from builder.config import SiteConfig
from builder.errors import Problem, did_you_mean, nearest
from builder.markup import encode_url, is_web_url
from builder.records import Fact, Quote, Reference, frozen_mapping
from builder.urls import is_valid_slug
from builder.yaml12 import YamlMapping

_WIKIDATA = re.compile(r"^Q[1-9][0-9]*$")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def month_name(month: int) -> str:
    """'February' for 2, never through the machine's locale."""
    return _MONTHS[month - 1]


def format_date(value: date) -> str:
    """'16 February 2011', never through the machine's locale."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


class FieldReader:
    ARTICLE_FIELDS = frozenset({"title", "date", "updated", "byline", "source", "source_url",
                                "summary", "draft", "quotes"})
    ENTITY_FIELDS = frozenset({"name", "aliases", "role", "type", "wikidata", "website", "date",
                               "start", "end", "capital"})
    _NOT_FACTS = frozenset({"name", "aliases", "wikidata", "draft", "type"})  # type: in the kicker

    def __init__(self, relative: str, front: YamlMapping, config: SiteConfig,
                 problems: list[Problem]) -> None:
        self.relative = relative
        self.front = front
        self.data = front.data
        self.config = config
        self.problems = problems
        self.kind_fields = {kind.name: kind.name for kind in config.kinds}
        self.kind_fields.update({kind.singular: kind.name for kind in config.kinds})

    def _line(self, key: str) -> int:
        return self.front.line_of(key) + 1  # +1: the opening '---' is line 1

    def error(self, key: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.relative, self._line(key), message, hint))

    def warning(self, key: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.relative, self._line(key), message, hint, "warning"))

    def text(self, key: str, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.problems.append(Problem(self.relative, 1, f"'{key}' is missing",
                                             f"add a '{key}:' line to the front matter"))
            return ""
        if isinstance(value, bool | list | dict):
            shape = {bool: "true/false", list: "a list", dict: "a mapping"}[type(value)]
            self.error(key, f"'{key}' must be text, not {shape}", "put the value in quotes")
            return ""
        if not isinstance(value, str):  # a number: keep it as written (3.10, 007, 1e3)
            value = self.front.written.get(key, value)
        return closed_bidi(str(value).strip())

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        items = self._as_written(key, value if isinstance(value, list) else [value])
        out: list[str] = []
        for item in items:
            if isinstance(item, str | int | float) and not isinstance(item, bool):
                out.append(closed_bidi(str(item).strip()))
            else:
                self.error(key, f"'{key}' must be a list of text", "write [first, second]")
        return tuple(out)

    def _as_written(self, key: str, items: list[Any]) -> list[Any]:
        """The items with each number replaced by its text as written (3.10, 007)."""
        written = self.front.written.get(key)
        if written is None:
            return items
        spelled = written if isinstance(written, tuple) else (written,)
        return [w if isinstance(w, str) and isinstance(i, int | float) and not isinstance(i, bool) else i
                for i, w in zip(items, spelled, strict=True)]

    def boolean(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.error(key, f"'{key}' must be true or false, not {value!r}")
            return False
        return value

    def datetime(self, key: str, required: bool = False) -> tuple[datetime, bool] | None:
        """(aware datetime, whether a time was given); naive values are in site.timezone."""
        value = self.data.get(key)
        if value is None:
            if required:
                self.problems.append(Problem(self.relative, 1, f"'{key}' is missing",
                                             f"add '{key}: YYYY-MM-DD' to the front matter"))
            return None
        text = str(value).strip() if isinstance(value, str | int) else ""
        try:
            if len(text) == 10:
                parsed = datetime.combine(date.fromisoformat(text), time())
                has_time = False
            else:
                parsed = datetime.fromisoformat(text)
                has_time = True
        except ValueError as exc:
            reason = f"not a real date ({exc})" if "out of range" in str(exc) else "not a date"
            self.error(key, f"'{key}: {value}' is {reason}",
                       "write YYYY-MM-DD or YYYY-MM-DDTHH:MM, a real calendar date")
            return None
        return fixed_offset(parsed, self.config.tzinfo), has_time

    def date(self, key: str) -> date | None:
        parsed = self.datetime(key)
        return parsed[0].date() if parsed else None

    def url(self, key: str) -> str:
        value = self.text(key)
        if value and not is_web_url(value):
            self.warning(key, f"'{key}' is not an http(s) address, so it is left out",
                         "write a full address like https://example.org/")
            return ""
        return encode_url(value) if value else ""

    def wikidata(self) -> str:
        value = self.text("wikidata")
        if value and not _WIKIDATA.match(value):
            self.warning("wikidata", f"'{value}' is not a Wikidata id", "ids look like Q884")
            return ""
        return value

    def references(self) -> list[Reference]:
        references: list[Reference] = []
        for key, kind in self.kind_fields.items():
            if key not in self.data:
                continue
            value = self.data[key]
            items = value if isinstance(value, list) else [] if value is None else [value]
            lines = self.front.item_lines.get(key) or (self.front.line_of(key),) * len(items)
            for item, line in zip(items, lines, strict=False):
                if isinstance(item, str) and is_valid_slug(item):
                    references.append(Reference(kind, item, line + 1, "front matter", key))
                else:
                    several = isinstance(item, str) and "," in item and not isinstance(value, list)
                    self.problems.append(Problem(
                        self.relative, line + 1, f"'{key}' has {item!r}, which is not a slug",
                        f"write a list: {key}: [{item}]" if several
                        else "use the entity's file name, e.g. kim-sung-hwan"))
        return references

    def quotes(self) -> tuple[Quote, ...]:
        value = self.data.get("quotes")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error("quotes", "'quotes' must be a list of {by: actor-slug, text: ...}")
            return ()
        lines = self.front.item_lines.get("quotes", ())
        quotes: list[Quote] = []
        for item, line in zip(value, lines, strict=False):
            by = item.get("by") if isinstance(item, dict) else None
            text = item.get("text") if isinstance(item, dict) else None
            if not isinstance(by, str) or not is_valid_slug(by) or not isinstance(text, str):
                self.problems.append(Problem(self.relative, line + 1,
                                             "a quote needs 'by: actor-slug' and 'text: ...'",
                                             'write - {by: kim-sung-hwan, text: "..."}'))
                continue
            quotes.append(Quote(by, closed_bidi(text.strip()), line + 1))
        return tuple(quotes)

    def facts(self) -> tuple[Fact, ...]:
        """Plain fields to show on an entity page, in the order written."""
        facts: list[Fact] = []
        for key, value in self.data.items():
            if key in self._NOT_FACTS or key in self.kind_fields or value in (None, "", []):
                continue
            if key in ("date", "start", "end"):
                parsed = _quiet_date(value)  # problems are reported where the date is read
                if parsed:
                    facts.append(Fact(key, _label(key), format_date(parsed)))
            elif key == "website":
                url = self.url(key)
                if url:
                    facts.append(Fact(key, "Website", url, is_url=True))
            elif isinstance(value, str | int | float) and not isinstance(value, bool):
                facts.append(Fact(key, _label(key), self.text(key)))
            elif isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
                facts.append(Fact(key, _label(key), ", ".join(str(v) for v in self._as_written(key, value))))
        return tuple(facts)

    def warn_unknown(self, known: frozenset[str]) -> None:
        """An unknown field is kept for templates, but a near-miss of a known one warns."""
        all_known = known | set(self.kind_fields)
        for key in self.data:
            if key not in all_known and nearest(key, all_known, cutoff=0.8):
                self.warning(key, f"unknown field '{key}'", did_you_mean(key, all_known, 0.8))

    def extra(self, known: frozenset[str]) -> Any:
        return frozen_mapping({k: v for k, v in self.data.items()
                               if k not in known and k not in self.kind_fields})


_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_OPENERS = {"\u202a": "\u202c", "\u202b": "\u202c", "\u202d": "\u202c", "\u202e": "\u202c",
            "\u2066": "\u2069", "\u2067": "\u2069", "\u2068": "\u2069"}


def closed_bidi(text: str) -> str:
    """`text` with every bidirectional embedding, override and isolate it opens closed at its end.

    A one-line field is shown inside other text (a heading, a list, <title>, a feed), and an
    unclosed U+202E there would reverse whatever follows it, outside the field. Closing them keeps
    the author's own right-to-left marks working inside the field; a closer with nothing to close
    is dropped. Fields without these characters (nearly all) cost one regex search.
    """
    if not _BIDI.search(text):
        return text
    out: list[str] = []
    open_: list[str] = []  # the closer each open mark needs, innermost last
    for char in text:
        if char in _OPENERS:
            open_.append(_OPENERS[char])
        elif char == "\u202c":  # PDF closes the innermost embedding, never across an isolate
            if not open_ or open_[-1] != "\u202c":
                continue
            open_.pop()
        elif char == "\u2069":  # PDI closes its isolate and every embedding opened inside it
            if "\u2069" not in open_:
                continue
            while open_.pop() != "\u2069":
                pass
        out.append(char)
    return "".join(out) + "".join(reversed(open_))


def fixed_offset(value: datetime, zone: tzinfo) -> datetime:
    """`value` (naive: wall time in `zone`) as one instant with a whole-minute fixed UTC offset.

    RFC 3339 and schema.org allow no seconds in an offset, so a local-mean-time offset from before
    standard time (Asia/Seoul's +08:27:52 in 1905) is rounded to the minute, keeping the wall time
    and date as written. A wall time in a DST gap (02:30 on a spring-forward night) is read with the
    offset before the change and written as the instant it names (03:30, the new offset); an
    ambiguous time (the repeated hour of a fall-back night) is its first occurrence. A fixed offset
    also makes dates of one zone compare as instants: datetimes sharing one ZoneInfo compare by wall
    clock, which ordered a gap time against its own timestamp.
    """
    instant = value
    if value.tzinfo is None:
        instant = value.replace(tzinfo=zone, fold=0)
        with suppress(OverflowError):  # within a day of year 1 or 9999: no DST there to resolve
            instant = instant.astimezone(UTC).astimezone(zone)
    offset = instant.utcoffset() or timedelta(0)
    return instant.replace(tzinfo=_zone_of(round(offset.total_seconds() / 60)), fold=0)


@lru_cache(maxsize=256)
def _zone_of(minutes: int) -> timezone:
    return UTC if minutes == 0 else timezone(timedelta(minutes=minutes))


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _quiet_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None
