"""Which pages an edit can change: the site's shape, and which sources each page showed.

A record's fields are of two sorts. Display fields (DISPLAY_FIELDS: an
article's title and body, an entity's name and description, ...) are only
ever shown; no code uses them to choose or count pages or the items on a
page. Names only order some lists (index.in_name_order); lists cut to a
length, such as an entity's co-mentions or the home page's busiest entities,
pick their members by count and slug, and only then order them by name.
Every other field, and every problem the reader found, shapes the site:
slugs, dates, references, quotes, drafts.

So when the shape of every source is what it was, and so are the config,
templates, code and options, every page keeps its path and shows the same
records, and only a page that showed a changed source can differ. The page
signatures record which sources each page showed (cache.SignaturePickler),
and the manifest keeps them; such a rebuild signs and renders only those
pages and keeps every other page's manifest entry. Anything else, including
a missing or older manifest, signs every page as before.

A page that showed a changed source is also kept if nothing on it can read
the fields that changed: its template (with everything it extends, includes
and imports) names none of them, as an attribute or as a string, and neither
does the Python that makes its variables (render.LazyVariables.reads) or its
structured data (structured.*_DATA_READS). The timeline shows every
article's title but not its body, so a body edit leaves it alone. Python
that copies a display field into a page variable must say so in `reads`; a
template that prints a record itself (its Python repr) is not supported.

The data files follow their own rule: the search index updates itself from
its cache, and the exports are made again only if a changed source changed a
display field they read (datasets.DISPLAY_READS), from the pieces that changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2 import meta, nodes

from builder.cache import Manifest, OutputEntry, digest, dumps
from builder.records import Article, Entity
from builder.render import LazyVariables, page_about
from builder.structured import ARTICLE_DATA_READS, ENTITY_DATA_READS

DISPLAY_FIELDS: Mapping[type, frozenset[str]] = {
    Article: frozenset({"title", "byline", "source", "source_url", "summary", "body_packed", "word_count",
                        "body_terms", "title_terms", "summary_terms"}),
    Entity: frozenset({"name", "summary", "description_html", "facts", "wikidata", "entity_type"}),
}

ALL_DISPLAY_FIELDS = frozenset().union(*DISPLAY_FIELDS.values())

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
        return ALL_DISPLAY_FIELDS
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
    delta: Delta, previous: Manifest, changed_files: Collection[str], pages: Sequence[Any],
    reads: Callable[[Any], frozenset[str]],
) -> tuple[list[int], dict[str, OutputEntry]]:
    """(positions of the pages that may show a change, manifest entries of all the others).

    A page is signed again if it showed a changed source and can read a field
    that changed (`reads(page)`: the names it may read), if it was never
    signed (no dependencies known), or if its file is not as the last build left it (`changed_files`).
    """
    changed = delta.changed
    names = frozenset().union(*(_READ_AS.get(name, (name,)) for name in delta.display_changes))
    chosen: list[int] = []
    kept: dict[str, OutputEntry] = {}
    for path, relative in zip(previous.pages, previous.page_files, strict=True):
        entry = previous.files.get(relative)
        number = delta.position[path]
        if entry is None or entry.deps is None or relative in changed_files or (
                not changed.isdisjoint(entry.deps) and not names.isdisjoint(reads(pages[number]))):
            chosen.append(number)
        else:
            kept[relative] = entry
    return sorted(chosen), kept


# How templates reach a display field when not by its own name.
_READ_AS = {"body_packed": ("body_packed", "body_html")}
EVERYTHING = ALL_DISPLAY_FIELDS.union(*_READ_AS.values())


class TemplateReads:
    """The names a page can read records by: its template's, and its structured data's."""

    def __init__(self, environment: jinja2.Environment, known: Mapping[str, frozenset[str]]) -> None:
        """known: what the last build found, with the same templates (kept in its manifest)."""
        self.environment = environment
        self.by_template: dict[str, frozenset[str]] = dict(known)

    def __call__(self, page: Any) -> frozenset[str]:
        names = self.of_template(page.template)
        if isinstance(page.context, LazyVariables):
            names |= page.context.reads
        about = page_about(page)
        if isinstance(about, Article):
            return names | ARTICLE_DATA_READS
        return names | ENTITY_DATA_READS if isinstance(about, Entity) else names

    def of_template(self, name: str) -> frozenset[str]:
        """Every attribute and string constant in a template and those it extends, includes or
        imports; everything if it reaches a template by a computed name or an item by a computed key."""
        known = self.by_template.get(name)
        if known is None:
            self.by_template[name] = EVERYTHING  # while following a cycle of includes
            known = self.by_template[name] = self._reads(name)
        return known

    def _reads(self, name: str) -> frozenset[str]:
        try:
            source = self.environment.loader.get_source(self.environment, name)[0]  # type: ignore[union-attr]
            tree = self.environment.parse(source)
        except jinja2.TemplateError:
            return EVERYTHING  # rendering it will report the error
        found: set[str] = set()
        for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Const)):
            if isinstance(node, nodes.Getattr):
                found.add(node.attr)
            elif isinstance(node, nodes.Getitem) and not isinstance(node.arg, nodes.Const):
                return EVERYTHING
            elif isinstance(node, nodes.Const) and isinstance(node.value, str):
                found.add(node.value)
        for other in meta.find_referenced_templates(tree):
            if other is None:
                return EVERYTHING
            found |= self.of_template(other)
        return frozenset(found)

