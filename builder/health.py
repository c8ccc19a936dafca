"""The health of the annotation graph, for `check`: advice, never a build failure.

A build only needs references to resolve; an archive stays useful only if its
annotations are also tidy. This finds what a curator would want to know:

- entities no article references (the file may be dead, or its slug mistyped);
- articles that reference nothing (they appear on no entity page);
- names or aliases of one kind that nearly collide (`Kim Sung-hwan` and
  `Kim Sung Hwan`: the same person filed twice?), found by bucketing a
  normalised key, so it stays linear in the number of names;
- an alias shared by two entities of a kind (a reader cannot tell them apart);
- relations that disagree: A lists B, and B keeps its own list of A's kind
  that leaves A out (or names another in a single-value field);
- a closing count per kind.

Every finding is a warning `path:line: ...`. These stay out of `build` (they
are advice for curators, not problems of the page being built) and do not
count towards `--strict`.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.config import SiteConfig
from builder.errors import BuilderError, Problem
from builder.index import SiteIndex
from builder.records import Entity, EntityKey

if TYPE_CHECKING:
    from builder.build import BuildOptions

_NOT_LETTERS = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Finding:
    """One health warning: `check` names what kind of finding it is, for scripts."""

    check: str
    problem: Problem


@dataclass(frozen=True)
class KindHealth:
    kind: str
    entities: int  # with a file
    stubs: int  # referenced, no file
    referenced: int  # by at least one article
    unreferenced: int  # with a file, in no article


@dataclass(frozen=True)
class Health:
    findings: tuple[Finding, ...]
    kinds: tuple[KindHealth, ...]
    articles: int
    articles_without_references: int


def normalised_name(name: str) -> str:
    """Case, accents, hyphens, spaces and punctuation folded away: 'Kim Sung-hwan' -> 'kimsunghwan'."""
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _NOT_LETTERS.sub("", folded.casefold())


def skeleton(name: str) -> str:
    """`name` with each non-ASCII look-alike letter replaced by its prototype ('Kіm' with a
    Cyrillic і -> 'Kim'), after UTS #39's skeleton, over Unicode's confusables.txt as the
    confusable-homoglyphs package ships it: a maintained table, not a hand list. ASCII is kept
    as it is ('l' and '1' are different names here)."""
    table = _prototypes()
    decomposed = unicodedata.normalize("NFKD", name)  # accents are folded by normalised_name
    return "".join(table.get(char, char) for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=1)
def _prototypes() -> dict[str, str]:
    """Each confusable non-ASCII character -> its prototype. The package's table lists every
    pair both ways; the prototype is the ASCII one where there is one, else the lowest code point."""
    from confusable_homoglyphs.confusables import confusables_data  # only `check` needs it

    table: dict[str, str] = {}
    for char, looks in confusables_data.items():
        if len(char) != 1 or char.isascii():
            continue
        shapes = [look["c"] for look in looks]
        ascii_shapes = sorted(s for s in shapes if s.isascii() and s.isprintable())
        if ascii_shapes:
            table[char] = ascii_shapes[0]
        else:
            table[char] = min([char, *(s for s in shapes if len(s) == 1)])
    return table


def graph_health(index: SiteIndex, config: SiteConfig) -> Health:
    lines = _KeyLines(config.site_dir)
    findings: list[Finding] = []
    findings += _unreferenced_entities(index, config)
    articles_without = [a for a in index.articles if not index.entities_of.get(a.slug)]
    findings += [Finding("article-without-references", Problem(
        a.source_path, 1, "this article references no actor, country or event",
        "list them in the front matter so it appears on their pages", "warning"))
        for a in articles_without]
    findings += _name_collisions(index, config, lines)
    findings += _inconsistent_relations(index)
    kinds = tuple(_kind_health(kind.name, index) for kind in config.kinds)
    ordered = sorted(findings, key=lambda f: (f.problem.path, f.problem.line, f.problem.message))
    return Health(tuple(ordered), kinds, len(index.articles), len(articles_without))


def _unreferenced_entities(index: SiteIndex, config: SiteConfig) -> list[Finding]:
    findings = []
    for kind in config.kinds:
        for entity in index.by_kind.get(kind.name, ()):
            if entity.is_stub or index.article_count(entity.key):
                continue
            related = bool(index.relations_in.get(entity.key))
            findings.append(Finding("unreferenced-entity", Problem(
                entity.source_path or "", 1,
                f"no article references this {kind.singular}"
                + (" (only other entities do)" if related else ""),
                f"link it from an article ({kind.name}: [{entity.slug}]) or remove the file",
                "warning")))
    return findings


def _names(entity: Entity) -> list[tuple[str, str]]:
    """(field, text) for the entity's name and each alias."""
    return [("name", entity.name), *(("aliases", alias) for alias in entity.aliases)]


def _name_collisions(index: SiteIndex, config: SiteConfig, lines: _KeyLines) -> list[Finding]:
    findings: list[Finding] = []
    for kind, entities in index.by_kind.items():
        singular = config.kind(kind).singular if config.kind(kind) else kind
        shared: dict[str, list[tuple[Entity, str, str]]] = defaultdict(list)
        near: dict[str, list[tuple[Entity, str, str]]] = defaultdict(list)
        for entity in entities:
            if entity.is_stub:
                continue
            for field, text in _names(entity):
                if field == "aliases":
                    shared[text.casefold()].append((entity, field, text))
                key = normalised_name(skeleton(text))
                if key:
                    near[key].append((entity, field, text))
        reported: set[frozenset[EntityKey]] = set()
        for uses in shared.values():
            owners = _distinct(uses)
            if len(owners) < 2:
                continue
            reported.add(frozenset(e.key for e, _, _ in owners))
            for entity, field, text in owners:
                others = ", ".join(f"{o.source_path}" for o, _, _ in owners if o is not entity)
                findings.append(Finding("shared-alias", Problem(
                    entity.source_path or "", lines.of(entity.source_path, field),
                    f"the alias '{text}' is also an alias of {others}",
                    "keep it on one entity, or make each alias specific", "warning")))
        for uses in near.values():
            owners = _distinct(uses)
            if len(owners) < 2 or frozenset(e.key for e, _, _ in owners) in reported:
                continue
            look_alike = len({normalised_name(t) for _, _, t in owners}) > 1
            for entity, field, text in owners:
                others = ", ".join(f"'{t}' ({o.source_path})" for o, _, t in owners if o is not entity)
                if look_alike:
                    others += " (they differ only in look-alike letters)"
                findings.append(Finding("near-collision", Problem(
                    entity.source_path or "", lines.of(entity.source_path, field),
                    f"{'name' if field == 'name' else 'alias'} '{text}' nearly collides with {others}",
                    f"if they are the same {singular}, merge the files; "
                    "otherwise make the names distinct", "warning")))
    return findings


def _distinct(uses: list[tuple[Entity, str, str]]) -> list[tuple[Entity, str, str]]:
    """One use per entity (its first), in the order found."""
    seen: dict[EntityKey, tuple[Entity, str, str]] = {}
    for use in uses:
        seen.setdefault(use[0].key, use)
    return list(seen.values())


def _inconsistent_relations(index: SiteIndex) -> list[Finding]:
    """A lists B, but B's own list of A's kind leaves A out."""
    listed: dict[EntityKey, dict[str, set[str]]] = {}
    for entity in index.entities.values():
        by_kind: dict[str, set[str]] = defaultdict(set)
        for reference in entity.references:
            if reference.origin == "front matter":
                by_kind[reference.kind].add(reference.slug)
        listed[entity.key] = by_kind
    findings = []
    for entity in index.entities.values():
        for reference in entity.references:
            if reference.origin != "front matter" or reference.key == entity.key:
                continue
            target = index.entities.get(reference.key)
            back = listed.get(reference.key, {}).get(entity.kind)
            if target is None or target.is_stub or not back or entity.slug in back:
                continue
            field = next((r.field for r in target.references if r.kind == entity.kind), entity.kind)
            findings.append(Finding("inconsistent-relation", Problem(
                entity.source_path or "", reference.line,
                f"lists {reference.kind}/{reference.slug}, whose '{field}' "
                f"({', '.join(sorted(back))}) does not list {entity.slug}",
                f"add {entity.slug} to {target.source_path}, or remove one of the two", "warning")))
    return findings


def _kind_health(kind: str, index: SiteIndex) -> KindHealth:
    entities = index.by_kind.get(kind, ())
    with_file = [e for e in entities if not e.is_stub]
    referenced = sum(1 for e in entities if index.article_count(e.key))
    unreferenced = sum(1 for e in with_file if not index.article_count(e.key))
    return KindHealth(kind, len(with_file), len(entities) - len(with_file), referenced, unreferenced)


class _KeyLines:
    """The line of a front-matter key, read again only for files with a finding."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.cache: dict[str, dict[str, int]] = {}

    def of(self, source_path: str | None, key: str) -> int:
        if not source_path:
            return 0
        if source_path not in self.cache:
            self.cache[source_path] = self._read(source_path)
        return self.cache[source_path].get(key, 1)

    def _read(self, source_path: str) -> dict[str, int]:
        found: dict[str, int] = {}
        try:
            text = (self.site_dir / source_path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return found
        for number, line in enumerate(text.splitlines()[1:], start=2):
            if line.rstrip() in ("---", "..."):
                break
            match = re.match(r"([A-Za-z_][\w-]*)\s*:", line)
            if match:
                found.setdefault(match.group(1), number)
        return found


def summary_lines(health: Health) -> list[str]:
    lines = [f"articles: {health.articles}, {health.articles_without_references} with no references"]
    for kind in health.kinds:
        lines.append(f"{kind.kind}: {kind.entities} with a file, {kind.stubs} stubs, "
                     f"{kind.referenced} referenced by articles, {kind.unreferenced} referenced by none")
    return lines


def run_check(site: Path, options: BuildOptions, output_format: str) -> int:
    """`python -m builder check`: every build problem, then the graph's health."""
    from builder.build import build

    try:
        result = build(site, options)
    except BuilderError as exc:
        if output_format != "json":
            raise
        _print_json({"ok": False, "errors": [_problem_json(p) for p in exc.problems]})
        return 1
    assert result.index is not None
    health = graph_health(result.index, result.config)
    if output_format == "json":
        _print_json({
            "ok": True,
            "errors": [],
            "warnings": [_problem_json(p) for p in result.warnings],
            "left_out": [{"path": path, "why": why} for path, why in result.left_out],
            "health": {
                "warnings": [{"check": f.check, **_problem_json(f.problem)} for f in health.findings],
                "articles": {"total": health.articles,
                             "without_references": health.articles_without_references},
                "kinds": {k.kind: {key: value for key, value in asdict(k).items() if key != "kind"}
                          for k in health.kinds},
            },
            "seconds": round(result.seconds, 3),
        })
        return 0
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    for path, why in result.left_out:
        print(f"{path}: left out: {why}", file=sys.stderr)
    for finding in health.findings:
        print(finding.problem, file=sys.stderr)
    for line in summary_lines(health):
        print(line)
    count = len(result.warnings)
    print(f"Checked: no errors, {count} warning{'' if count == 1 else 's'}, "
          f"{len(health.findings)} health warning{'' if len(health.findings) == 1 else 's'}, "
          f"{result.seconds:.2f} s")
    return 0


def _problem_json(problem: Problem) -> dict[str, Any]:
    return {"path": problem.path, "line": problem.line, "message": problem.message,
            "hint": problem.hint, "severity": problem.severity, "text": str(problem)}


def _print_json(data: dict[str, Any]) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
