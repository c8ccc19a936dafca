"""Read content/: find the files, split front matter, validate, make records.

`read_source` is a pure function of (file bytes, config): it returns a record
or the problems that stopped it, never raises, and so can run in worker
processes and be cached by content hash. `read_content` walks the folder,
reads every file and reports every problem of the run together.
"""

from __future__ import annotations

import os
import re
import stat
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from builder.config import WEB_SCHEMES, SiteConfig
from builder.errors import Problem, Report, did_you_mean
from builder.fields import FieldReader
from builder.markup import (
    MarkdownRenderer,
    MarkdownTooComplex,
    find_links,
    first_paragraph_text,
    is_valid_url,
    shorten,
)
from builder.records import Article, Entity, Reference, pack_html, pickled_through_init
from builder.urls import is_valid_slug, slug_from_filename, slugify
from builder.words import body_terms, search_words
from builder.yaml12 import CONTROL_CHARACTERS, YamlProblem, describe_character, load_mapping

ARTICLES = "articles"
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class SourceFile:
    """A content file: `kind` is 'articles' or an entity kind's name."""

    kind: str
    path: str  # as the system names it: a string, since a site has tens of thousands
    relative: str  # to the site folder, '/' separated

    @property
    def is_article(self) -> bool:
        return self.kind == ARTICLES

    @property
    def slug(self) -> str:
        return slug_from_filename(_stem(self.relative.rpartition("/")[2]), self.is_article)

    def read_bytes(self) -> bytes:
        with open(self.path, "rb") as file:
            return file.read()


@dataclass(frozen=True)
class Content:
    articles: tuple[Article, ...]
    entities: tuple[Entity, ...]
    left_out: tuple[tuple[str, str], ...]  # (relative path, why)
    unreadable: frozenset[tuple[str, str]] = frozenset()  # entities whose file has errors


@pickled_through_init
@dataclass(frozen=True)
class ReadResult:
    record: Article | Entity | None
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class ReadOptions:
    drafts: bool = False
    future: bool = False
    now: datetime | None = None


def find_sources(config: SiteConfig, report: Report) -> list[SourceFile]:
    """Every .md file under content/articles and content/<kind>, sorted."""
    site_root = config.site_dir.resolve()
    content_dir = config.resolve(config.content_dir)
    if not content_dir.is_dir():
        report.error("site.yaml", 1, f"no content folder at {_relative(content_dir, config)}",
                     "create content/articles/ or set paths.content")
        return []
    folders = [ARTICLES, *(kind.name for kind in config.kinds)]
    sources: list[SourceFile] = []
    for entry in sorted(content_dir.iterdir()):
        relative = _relative(entry, config)
        if entry.name.startswith("."):
            continue
        if not _inside(entry, site_root):
            report.error(relative, 1, "symbolic link points outside the site", "copy the files in")
            continue
        if entry.is_dir() and entry.name in folders:
            sources.extend(_walk_folder(entry, entry.name, config, site_root, report))
        elif entry.is_dir() or entry.suffix == ".md":
            report.warning(relative, 1, "not in a content folder, so not built",
                           f"content folders: {', '.join(folders)}")
    return sources


def _walk_folder(
    folder: Path, kind: str, config: SiteConfig, site_root: Path, report: Report
) -> list[SourceFile]:
    """The folder's .md files, depth first in name order (os.walk's order), from directory
    entries alone: no stat and no Path object per file, which is what a rebuild pays for."""
    sources: list[SourceFile] = []
    pending = [(os.fspath(folder), _relative(folder, config))]
    while pending:
        directory, prefix = pending.pop()
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=_name)
        except OSError:
            continue  # as os.walk does: a folder that cannot be listed is skipped
        files = [entry for entry in entries if not _is_dir(entry)]
        subdirs: list[tuple[str, str]] = []
        for entry in entries:
            if entry.name.startswith(".") or not _is_dir(entry):
                continue
            if entry.is_symlink():
                report.warning(f"{prefix}/{entry.name}", 1, "linked folder not followed",
                               "move the files into content/")
            else:
                subdirs.append((entry.path, f"{prefix}/{entry.name}"))
        for entry in files:
            name = entry.name
            if not name.endswith(".md") or name.startswith("."):
                if name.lower().endswith((".md", ".markdown")) and not name.startswith("."):
                    report.warning(f"{prefix}/{name}", 1, "not built: content files end in '.md'",
                                   f"rename it to {_stem(name)}.md")
                continue
            relative = f"{prefix}/{name}"
            if entry.is_symlink() and not _inside(Path(entry.path), site_root):
                report.error(relative, 1, "symbolic link points outside the site",
                             "copy the file into content/")
                continue
            if not _is_file(entry):  # a named pipe would block the read forever; a device never ends
                report.error(relative, 1, f"is {_special_kind(entry)}, not a file", "replace it with a file")
                continue
            if name.partition(".")[0].lower() in WINDOWS_RESERVED:
                report.error(relative, 1, f"'{name}' is a name Windows reserves, so the site "
                             "cannot be cloned there", "rename the file")
                continue
            sources.append(SourceFile(kind, entry.path, relative))
        pending.extend(reversed(subdirs))
    return sources


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


# Names Windows gives to devices, with any extension: a clone on Windows fails on them.
WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{n}" for n in "123456789¹²³"),
                              *(f"lpt{n}" for n in "123456789¹²³")})


def _is_file(entry: os.DirEntry[str]) -> bool:
    """A regular file (following a link)? From the directory entry alone unless it is a link."""
    try:
        return entry.is_file()
    except OSError:
        return True  # let the read report it


def _special_kind(entry: os.DirEntry[str]) -> str:
    try:
        mode = entry.stat().st_mode
    except OSError:
        return "not a regular file"
    for test, kind in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")):
        if test(mode):
            return kind
    return "not a regular file"


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _stem(name: str) -> str:
    """Path(name).stem, without making a Path."""
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):
        return False


def _relative(path: Path, config: SiteConfig) -> str:
    try:
        return path.relative_to(config.site_dir).as_posix()
    except ValueError:
        return path.as_posix()


def split_front_matter(text: str) -> tuple[str, str, int]:
    """(YAML text, body, line number where the body starts); text starts at line 1."""
    if not text.startswith("---") or text[3:4] not in ("\n", " ", "\t", ""):
        raise YamlProblem(1, "no front matter", "start the file with a '---' line, fields, '---'")
    first_newline = text.find("\n")
    if first_newline < 0:
        raise YamlProblem(1, "front matter is not closed", "add a '---' line after the fields")
    position = first_newline + 1
    line_number = 2
    while position <= len(text):
        end = text.find("\n", position)
        line = text[position:] if end < 0 else text[position:end]
        if line.rstrip() in ("---", "..."):
            body = "" if end < 0 else text[end + 1:]
            return text[first_newline + 1:position], body, line_number + 1
        if end < 0:
            break
        position = end + 1
        line_number += 1
    raise YamlProblem(1, "front matter is not closed", "add a '---' line after the fields")


def decode(raw: bytes) -> str:
    """UTF-8 (a BOM is fine) with every line end made '\\n'."""
    text = raw.decode("utf-8-sig")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_source(
    source: SourceFile, raw: bytes, config: SiteConfig, renderer: MarkdownRenderer
) -> ReadResult:
    """Parse one file into a record, or return the problems that stop it."""
    problems: list[Problem] = []
    try:
        text = decode(raw)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problems.append(Problem(source.relative, line, f"not UTF-8 text ({exc.reason})",
                                "save the file as UTF-8"))
        return ReadResult(None, tuple(problems))
    control = CONTROL_CHARACTERS.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        problems.append(Problem(source.relative, line,
                                f"a control character ({describe_character(control.group())})",
                                "remove it; it cannot appear in a web page"))
        return ReadResult(None, tuple(problems))
    try:
        yaml_text, body, body_line = split_front_matter(text)
        front = load_mapping(yaml_text, line_offset=1)
    except YamlProblem as exc:
        line = exc.line if exc.message.startswith(("no front", "front matter is")) else exc.line + 1
        problems.append(Problem(source.relative, line, exc.message, exc.hint))
        return ReadResult(None, tuple(problems))
    if not is_valid_slug(source.slug):
        problems.append(Problem(
            source.relative, 1, f"'{source.slug}' is not a valid slug",
            f"use lowercase ASCII letters, digits and hyphens, e.g. '{slugify(source.slug)}.md'"))
    fields = FieldReader(source.relative, front, config, problems)
    try:
        body_html = renderer.convert(body) if body.strip() else ""
    except RecursionError:  # Python-Markdown recurses once per level of nesting
        body_html = ""
        problems.append(Problem(source.relative, body_line, "the Markdown body is nested too deeply",
                                "flatten the nested lists or quotes"))
    except MarkdownTooComplex as exc:
        body_html = ""
        problems.append(Problem(source.relative, body_line + exc.line - 1, exc.message, exc.hint))
    except Exception as exc:  # any Markdown failure on a file is that file's error, not a traceback
        body_html = ""
        problems.append(Problem(source.relative, body_line,
                                f"the Markdown body could not be converted ({type(exc).__name__}: {exc})",
                                "simplify the text around links and HTML in this body"))
    inline = _inline_references(source.relative, body, body_line, config, problems)
    if source.is_article:
        record: Article | Entity | None = _article(source, fields, body_html, inline, config)
    else:
        record = _entity(source, fields, body_html, inline)
    if any(p.severity == "error" for p in problems):
        record = None
    return ReadResult(record, tuple(problems))


def _article(
    source: SourceFile, fields: FieldReader, body_html: str, inline: list[Reference],
    config: SiteConfig,
) -> Article:
    fields.warn_unknown(known=fields.ARTICLE_FIELDS)
    title = fields.text("title", required=True)
    published = fields.datetime("date", required=True)
    summary = fields.text("summary") or first_paragraph_text(body_html)
    return Article(
        source_path=source.relative,
        slug=source.slug,
        title=title,
        date=published[0] if published else datetime.min.replace(tzinfo=config.tzinfo),
        date_has_time=published[1] if published else False,
        byline=fields.text("byline"),
        source=fields.text("source"),
        source_url=fields.url("source_url"),
        summary=shorten(summary, 400),
        body_packed=pack_html(body_html),
        references=_merge_references(fields.references(), inline),
        quotes=fields.quotes(),
        draft=fields.boolean("draft"),
        updated=(fields.datetime("updated") or (None, False))[0],
        word_count=len(_strip_tags(body_html).split()),
        body_terms=body_terms(body_html),
        title_terms=search_words(title),
        summary_terms=search_words(shorten(summary, 400)),
        extra=fields.extra(known=fields.ARTICLE_FIELDS),
    )


def _entity(
    source: SourceFile, fields: FieldReader, body_html: str, inline: list[Reference]
) -> Entity:
    fields.warn_unknown(known=fields.ENTITY_FIELDS)
    start = fields.date("date") or fields.date("start")
    end = fields.date("end")
    if start and end and end < start:
        fields.error("end", f"'end: {end.isoformat()}' is before the start ({start.isoformat()})",
                     "correct the dates, or swap them")
    return Entity(
        kind=source.kind,
        slug=source.slug,
        name=fields.text("name", required=True),
        source_path=source.relative,
        aliases=fields.text_list("aliases"),
        summary=first_paragraph_text(body_html, 200),
        description_html=body_html,
        facts=fields.facts(),
        references=_merge_references(fields.references(), inline),
        wikidata=fields.wikidata(),
        entity_type=fields.text("type").lower(),
        start=start,
        end=end,
        extra=fields.extra(known=fields.ENTITY_FIELDS),
    )


def _inline_references(
    relative: str, body: str, body_line: int, config: SiteConfig, problems: list[Problem]
) -> list[Reference]:
    references: list[Reference] = []
    singulars = {kind.singular: kind.name for kind in config.kinds}
    for link in find_links(body):
        line = body_line + link.line - 1
        if link.scheme in singulars:
            if is_valid_slug(link.target):
                references.append(Reference(singulars[link.scheme], link.target, line, "inline"))
            else:
                problems.append(Problem(relative, line, f"'{link.target}' is not a valid slug",
                                        "use lowercase ASCII letters, digits and hyphens"))
        elif link.scheme in ("javascript", "data", "vbscript"):
            problems.append(Problem(relative, line, f"{link.scheme}: link removed",
                                    "such links never reach a page", "warning"))
        elif not is_valid_url(f"{link.scheme}:{link.target}" if link.scheme else link.target):
            problems.append(Problem(relative, line, "link target is not a valid address; link removed",
                                    "check the brackets in it: [ and ] belong only around an IPv6 host",
                                    "warning"))
        elif link.scheme and link.scheme not in WEB_SCHEMES:
            hint = did_you_mean(link.scheme, singulars) or (
                f"entity links use {', '.join(s + ':' for s in singulars)}")
            problems.append(Problem(relative, line, f"unknown link scheme '{link.scheme}:'",
                                    hint, "warning"))
    return references


def _merge_references(front: list[Reference], inline: list[Reference]) -> tuple[Reference, ...]:
    """Front-matter references first, then inline ones not already named."""
    seen = {reference.key for reference in front}
    merged = list(front)
    for reference in inline:
        if reference.key not in seen:
            seen.add(reference.key)
            merged.append(reference)
    return tuple(merged)


def _strip_tags(html: str) -> str:
    return _TAGS.sub(" ", html)


def read_content(config: SiteConfig, report: Report, options: ReadOptions) -> Content:
    """Read every content file; report all problems; leave out drafts and future articles."""
    renderer = MarkdownRenderer(config)
    sources = find_sources(config, report)
    results = [(source, _read_file(source, config, renderer)) for source in sources]
    return collect(results, config, report, options)


def _read_file(source: SourceFile, config: SiteConfig, renderer: MarkdownRenderer) -> ReadResult:
    try:
        raw = source.read_bytes()
    except OSError as exc:
        return ReadResult(None, (Problem(source.relative, 1, f"cannot read: {exc.strerror}"),))
    return read_source(source, raw, config, renderer)


def collect(
    results: Iterable[tuple[SourceFile, ReadResult]], config: SiteConfig, report: Report,
    options: ReadOptions,
) -> Content:
    """Records from read results: problems reported, collisions found, left-outs listed."""
    now = options.now or datetime.now(config.tzinfo)
    articles: list[Article] = []
    entities: list[Entity] = []
    left_out: list[tuple[str, str]] = []
    owners: dict[tuple[str, str], list[str]] = defaultdict(list)
    unreadable: set[tuple[str, str]] = set()
    for source, result in results:
        report.extend(result.problems)
        record = result.record
        slug = source.slug if record is None else record.slug  # the same; the record's costs nothing
        owners[(source.kind, slug.lower())].append(source.relative)
        if isinstance(record, Article):
            if record.draft and not options.drafts:
                left_out.append((record.source_path, "draft (build with --drafts)"))
            elif record.date > now and not options.future:
                left_out.append((record.source_path, "dated in the future (build with --future)"))
            else:
                articles.append(record)
        elif isinstance(record, Entity):
            entities.append(record)
        elif not source.is_article:
            unreadable.add((source.kind, source.slug))
    for (_, slug), paths in owners.items():
        for path in paths[1:]:
            report.error(path, 1, f"writes the same page as {paths[0]} (slug '{slug}')",
                         "rename one of the two files")
    return Content(tuple(articles), tuple(entities), tuple(left_out), frozenset(unreadable))


def as_datetime(value: date, tz: Any) -> datetime:
    return datetime.combine(value, time(), tzinfo=tz)
