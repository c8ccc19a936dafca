"""Which pages an edit can change: the site's shape, and which sources each page showed.

A record's fields are of two sorts. Display fields (DISPLAY_FIELDS: an
article's title and body, an entity's name and description, ...) are only
ever shown; no code uses them to choose, order or count pages or the items
on a page. (Lists cut to a length, such as an entity's co-mentions or the
home page's busiest entities, pick their members by count and slug, and only
then order them by name.) Every other field, and every problem the reader
found, shapes the site: slugs, dates, references, quotes, drafts.

So when the shape of every source is what it was, and so are the config,
templates, code and options, every page keeps its path and shows the same
records, and only a page that showed a changed source can differ. The page
signatures record which sources each page showed (cache.SignaturePickler),
and the manifest keeps them; such a rebuild signs and renders only those
pages and keeps every other page's manifest entry. Anything else, including
a missing or older manifest, signs every page as before.

The data files follow their own rule: the search index updates itself from
its cache, and the exports are made again only if a changed source changed a
display field they read (exports.DISPLAY_READS).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.cache import Manifest, OutputEntry, digest, dumps, file_unchanged
from builder.records import Article, Entity

DISPLAY_FIELDS: Mapping[type, frozenset[str]] = {
    Article: frozenset({"title", "byline", "source", "source_url", "summary", "body_packed", "word_count",
                        "body_terms", "title_terms", "summary_terms"}),
    Entity: frozenset({"name", "summary", "description_html", "facts", "wikidata", "entity_type"}),
}


def record_shape(record: Article | Entity | None, problems: Sequence[Any]) -> bytes:
    """The hash of a parsed source without its display fields: what in it shapes the site."""
    if record is None:
        return digest(repr(problems))
    hidden = DISPLAY_FIELDS[type(record)]
    kept = tuple((name, getattr(record, name)) for name in record.__slots__ if name not in hidden)
    return digest(type(record).__name__, dumps(kept), repr(problems))


def changed_display(old: Any, new: Any) -> frozenset[str]:
    """The display fields in which two versions of a record differ (all of them if they cannot be
    compared)."""
    if type(old) is not type(new) or type(new) not in DISPLAY_FIELDS:
        return frozenset().union(*DISPLAY_FIELDS.values())
    return frozenset(name for name in DISPLAY_FIELDS[type(new)] if getattr(old, name) != getattr(new, name))


@dataclass(frozen=True)
class Delta:
    """A rebuild whose shape is unchanged: these source positions changed, nothing else did."""

    changed: frozenset[int]
    display_changes: frozenset[str]  # display fields that changed in any changed record
    position: Mapping[str, int]  # site path -> position among this build's pages


def find_delta(
    previous: Manifest, shape: bytes, sources: Sequence[str], digests: Mapping[str, bytes],
    page_paths: Sequence[str], display_changes: frozenset[str],
) -> Delta | None:
    """The delta from the last build, or None when every page must be signed."""
    if (not previous.inputs or previous.shape != shape or time.time() >= previous.valid_until
            or previous.sources != tuple(sources) or len(previous.pages) != len(page_paths)):
        return None
    position = {path: number for number, path in enumerate(page_paths)}  # a rename may reorder pages
    if len(position) != len(page_paths) or not all(path in position for path in previous.pages):
        return None
    changed = frozenset(number for number, (relative, old) in enumerate(
        zip(sources, previous.source_digests, strict=True)) if digests.get(relative) != old)
    return Delta(changed, display_changes, position)


def pages_to_sign(
    delta: Delta, previous: Manifest, output_dir: Path
) -> tuple[list[int], dict[str, OutputEntry]]:
    """(positions of the pages that showed a changed source, manifest entries of all the others).

    A page is signed again too if it was never signed (no dependencies known)
    or its file is not as the last build left it.
    """
    changed = delta.changed
    chosen: list[int] = []
    kept: dict[str, OutputEntry] = {}
    folder = str(output_dir)
    for path, relative in zip(previous.pages, previous.page_files, strict=True):
        entry = previous.files.get(relative)
        if entry is None or entry.deps is None or not changed.isdisjoint(entry.deps) \
                or not file_unchanged(f"{folder}/{relative}", entry):
            chosen.append(delta.position[path])
        else:
            kept[relative] = entry
    return sorted(chosen), kept

