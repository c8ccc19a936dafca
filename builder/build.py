"""The build, in the order it happens: a table of contents for the package.

load config -> read content -> resolve references -> index -> render -> write
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from builder.cache import (
    CacheMemory,
    ChangedFiles,
    Manifest,
    OutputEntry,
    RecordEntry,
    SiteCache,
    digest,
    file_unchanged,
    files_fingerprint,
    value_bytes,
)
from builder.config import CONFIG_FILE, SiteConfig, load_config
from builder.datasets import DISPLAY_READS, export_paths
from builder.delta import ALL_DISPLAY_FIELDS, Delta, TemplateReads, changed_display, find_delta, pages_to_sign
from builder.discovery import data_files
from builder.errors import OutputError, Problem, Report
from builder.index import SiteIndex, build_index, resolve_references
from builder.output import OutputWriter, static_files
from builder.pages import all_pages
from builder.parallel import (
    Background,
    ReadJob,
    Rendered,
    RenderJob,
    default_jobs,
    earlier_bytes,
    map_chunks,
    read_chunk,
    render_chunk,
    stage_raw_files,
)
from builder.reader import ReadOptions, ReadResult, SourceFile, collect, find_sources
from builder.records import Article, Entity
from builder.render import RawFile, Renderer, template_dirs
from builder.snapshot import IndexSnapshot, keep_index, load_index
from builder.theme import theme_dir
from builder.urls import output_file


@dataclass(frozen=True)
class BuildOptions:
    output_dir: Path | None = None  # default: site.yaml's paths.output
    base_url: str | None = None
    relative_links: bool | None = None  # None: site.yaml's relative_links
    drafts: bool = False
    future: bool = False
    strict: bool = False
    write: bool = True  # False for `check`: validate everything, write nothing
    jobs: int | None = None  # worker processes; None: one per CPU
    clean: bool = False  # replace whatever the output folder holds (output.py: is_owned)


@dataclass(frozen=True)
class BuildResult:
    config: SiteConfig
    output_dir: Path | None
    pages_written: int
    pages_unchanged: int
    warnings: tuple[Problem, ...]
    left_out: tuple[tuple[str, str], ...]
    seconds: float
    index: SiteIndex | None = None  # for `check`'s graph health


# Progress events for whoever runs the build (the CLI prints them): (stage, done, total).
ProgressCallback = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


@dataclass
class _Clock:
    started: float = field(default_factory=time.perf_counter)

    def seconds(self) -> float:
        return time.perf_counter() - self.started


def build(site_dir: Path, options: BuildOptions, progress: ProgressCallback = _no_progress,
          memory: CacheMemory | None = None) -> BuildResult:
    """Build the site in `site_dir`; raise a BuilderError (old output intact) on any error.

    `memory`: for a process that builds again and again (serve), the cache as its last build left it.
    """
    with _collector_paused():
        return _build(site_dir, options, progress, memory)


def _build(site_dir: Path, options: BuildOptions, progress: ProgressCallback,
           memory: CacheMemory | None) -> BuildResult:
    clock = _Clock()
    report = Report()
    config = load_config(site_dir, report, options.base_url, options.relative_links)
    cache = SiteCache(config.site_dir, config, memory)
    jobs = options.jobs or default_jobs()
    sources = find_sources(config, report)
    digests = cache.source_digests({source.relative: source.path for source in sources})
    output_dir = _output_dir(config, options) if options.write else None
    frame = _frame_signature(config, options, cache, report)
    inputs = digest(frame, value_bytes([(s.kind, s.relative, digests.get(s.relative, b"")) for s in sources]))
    previous = cache.load_manifest(output_dir) if output_dir else Manifest()
    if output_dir and not options.clean and _up_to_date(previous, inputs, output_dir):
        return BuildResult(config, output_dir, 0, len(previous.files), previous.warnings,
                           previous.left_out, clock.seconds())
    progress("read", 0, len(sources))
    read = read_sources(sources, digests, dict(zip(previous.sources, previous.source_digests, strict=True)),
                        config, cache, jobs, progress)
    # After reading (whose workers could not be forked beside a thread), while indexing:
    changed_files = ChangedFiles(output_dir, previous.files) if output_dir and previous.files else None
    shape = digest(frame, value_bytes([(source.kind, source.relative, shape)
                                       for source, shape in zip(sources, read.shapes, strict=True)]))
    valid_until = _valid_until(read.results, options)
    index, left_out, to_keep = _indexed(read, shape, valid_until, config, options, cache, report)
    report.raise_if_errors(options.strict)
    environment = digest(cache.key, files_fingerprint(template_dirs(config)))
    if output_dir is None:
        job = RenderJob(config, [*all_pages(index, config), *_static_pages(config)], [], environment,
                        read.record_refs)
        render_pages(job, jobs, progress)
        return BuildResult(config, None, 0, 0, tuple(report.warnings), left_out, clock.seconds(), index)
    cache.forget_manifest(output_dir)  # until this build commits, the folder is not as it says
    changed = changed_files.result() if changed_files else set()  # the thread ends before any fork
    try:
        with OutputWriter(output_dir, clean=options.clean) as writer:
            # The search index needs only the index: it is made (or updated) in a process of its
            # own from here on, while this one lists the pages and renders the changed ones.
            search_job = RenderJob(config, [], [], environment, read.record_refs, previous.files, writer)
            with Background(_stage_search, (search_job, index, cache, to_keep), jobs,
                            len(index.articles)) as search:
                job = RenderJob(config, [*all_pages(index, config), *_static_pages(config)], [],
                                environment, read.record_refs)
                relatives = tuple(source.relative for source in sources)
                page_paths = tuple(page.path for page in job.pages)
                manifest = Manifest(inputs=inputs, valid_until=valid_until,
                                    warnings=tuple(report.warnings), left_out=left_out, shape=shape,
                                    sources=relatives,
                                    source_digests=tuple(digests.get(r, b"") for r in relatives),
                                    pages=page_paths)
                delta = find_delta(previous, shape, relatives, digests, page_paths, read.display_changes)
                render_and_write(job, index, writer, previous, manifest, cache, jobs, progress, search, delta,
                                 changed)
    except BaseException:
        if previous.inputs:
            cache.save_manifest(output_dir, previous)
        raise
    cache.save_manifest(output_dir, manifest)
    return BuildResult(config, output_dir, writer.written, writer.unchanged, tuple(report.warnings),
                       left_out, clock.seconds(), index)


# What _stage_search keeps of an index made afresh: its snapshot but the index itself.
_ToKeep = IndexSnapshot | None


def _indexed(
    read: SourcesRead, shape: bytes, valid_until: float, config: SiteConfig, options: BuildOptions,
    cache: SiteCache, report: Report,
) -> tuple[SiteIndex, tuple[tuple[str, str], ...], _ToKeep]:
    """(the index, the articles left out, what to keep for the next build): the last build's index
    with this build's records when nothing it is made from changed (snapshot.py), else made afresh."""
    if options.write:
        loaded = load_index(cache, shape, read.records)
        if loaded is not None:
            index, kept = loaded
            report.extend(kept.problems)
            return index, kept.left_out, None
    start = len(report.problems)
    content = collect(read.results, config, report, ReadOptions(drafts=options.drafts, future=options.future))
    index = build_index(resolve_references(content, config, report), config, cache.memo)
    snapshot = IndexSnapshot(shape, valid_until, content.left_out, tuple(report.problems[start:]), b"")
    return index, content.left_out, snapshot


@dataclass(frozen=True)
class SourcesRead:
    results: list[tuple[SourceFile, ReadResult]]
    records: list[Article | Entity | None]  # of each source, in order
    record_refs: dict[int, tuple[bytes, int]]  # id(record) -> (hash of its source, source's position)
    shapes: list[bytes]  # of each source, in order (delta.record_shape)
    display_changes: frozenset[str]  # display fields changed since the output was last built


def read_sources(
    sources: list[SourceFile], digests: dict[str, bytes], built: Mapping[str, bytes], config: SiteConfig,
    cache: SiteCache, jobs: int, progress: ProgressCallback,
) -> SourcesRead:
    """Every source's read result, parsing only files whose bytes are not in the cache;
    `built`: the hash of each source as the output was last built from it."""
    stored = cache.load_records()
    entries: list[RecordEntry | None] = []
    for source in sources:
        entry = stored.get(source.relative)
        fresh = entry is not None and entry.kind == source.kind and entry.digest == digests.get(
            source.relative)
        entries.append(entry if fresh else None)
    missing = [number for number, entry in enumerate(entries) if entry is None]
    hits = len(sources) - len(missing)
    job = ReadJob(config, sources)
    for chunk in map_chunks(read_chunk, missing, job, jobs, 50,
                            lambda done: progress("read", hits + done, len(sources))):
        for number, entry in chunk:
            entries[number] = entry
    display_changes = _display_changes(sources, digests, built, stored, entries, missing)
    current = {source.relative: entry for source, entry in zip(sources, entries, strict=True)
               if entry is not None and entry.digest}
    cache.save_records(current, [sources[n].relative for n in missing] +
                       [relative for relative in stored if relative not in current])
    record_refs = {id(entry.result.record): (entry.ref, number)
                   for number, (source, entry) in enumerate(zip(sources, entries, strict=True))
                   if entry is not None and entry.digest and entry.result.record is not None}
    return SourcesRead([(source, entry.result) for source, entry in zip(sources, entries, strict=True)
                        if entry is not None],
                       [entry.result.record if entry is not None else None for entry in entries], record_refs,
                       [entry.shape if entry else b"" for entry in entries], display_changes)


def _display_changes(
    sources: list[SourceFile], digests: Mapping[str, bytes], built: Mapping[str, bytes],
    stored: Mapping[str, RecordEntry], entries: Sequence[RecordEntry | None], parsed: Sequence[int],
) -> frozenset[str]:
    """The display fields changed since the output was last built. Known for a source parsed again
    whose cached record is the one that build read; any other source changed since then (say, its
    record was cached by a build that failed later) may have changed every field."""
    changes: frozenset[str] = frozenset()
    parsed_again = set(parsed)
    for number, source in enumerate(sources):
        last = built.get(source.relative)
        if last == digests.get(source.relative):
            continue
        old, new = stored.get(source.relative), entries[number]
        if number not in parsed_again or old is None or old.digest != last or new is None:
            return ALL_DISPLAY_FIELDS
        changes |= changed_display(old.result.record, new.result.record)
    return changes


def render_and_write(
    job: RenderJob, index: SiteIndex, writer: OutputWriter, previous: Manifest, manifest: Manifest,
    cache: SiteCache, jobs: int, progress: ProgressCallback, search: Background, delta: Delta | None = None,
    changed_files: Collection[str] = frozenset(),
) -> None:
    """Render the pages whose inputs changed; stage changed files; commit them all at once.

    With a delta (delta.py), only the pages that may show the change are
    signed at all; the others, and the exports if nothing they show changed,
    keep their manifest entries. The exports are made in a process of their
    own while the pages render, and `search` (a Background) stages the search
    index meanwhile.
    """
    numbers: Sequence[int] = range(len(job.pages))
    writer.previous = previous.files if previous.inputs else None
    with_exports = True
    if delta is None:
        job.files = [writer.claim(page.path) for page in job.pages]
        manifest.page_files = tuple(file.as_posix() for file in job.files)
    else:
        numbers, kept, with_exports, writer.previous = _delta_plan(job, delta, previous, manifest,
                                                                   changed_files)
        job.files = {number: writer.claim(job.pages[number].path) for number in numbers}
        manifest.pages, manifest.page_files = previous.pages, previous.page_files
        manifest.files.update(kept)
        writer.unchanged += len(kept)
    job.previous, job.writer = previous.files, writer
    exported = len(job.pages) if with_exports else 0
    with Background(_stage_exports, (job, index, cache), jobs, exported) as exports:
        for chunk in map_chunks(render_chunk, numbers, job, jobs, 100,
                                lambda done: progress("render", done, len(numbers))):
            for rendered in chunk:
                _note(rendered, writer, manifest)
        made = [*search.result(), *(exports.result() if with_exports else [])]
    for site_path, rendered in made:
        writer.claim(site_path)
        _note(rendered, writer, manifest)
    writer.commit()
    files = manifest.files
    for relative, stat in writer.placed.items():  # as placed: a rename sets the ctime
        if (entry := files.get(relative)) is not None:
            files[relative] = replace(entry, size=stat.st_size, mtime_ns=stat.st_mtime_ns,
                                      inode=stat.st_ino, ctime_ns=stat.st_ctime_ns)


def _delta_plan(
    job: RenderJob, delta: Delta, previous: Manifest, manifest: Manifest, changed_files: Collection[str]
) -> tuple[list[int], dict[str, OutputEntry], bool, list[str]]:
    """(pages to sign, manifest entries kept, whether to remake the exports, files that may go stale:
    the data files not kept; every page stays)."""
    job.renderer = Renderer(job.config)
    reads = TemplateReads(job.renderer.environment, previous.template_reads)
    numbers, kept = pages_to_sign(delta, previous, changed_files, job.pages, reads)
    manifest.template_reads = reads.by_template  # the templates are the last build's
    with_exports = _exports_needed(delta, previous, changed_files)
    if not with_exports:
        kept.update((relative, previous.files[relative]) for relative in _export_files())
    page_files = set(previous.page_files)
    stale = [relative for relative in previous.files if relative not in page_files and relative not in kept]
    return numbers, kept, with_exports, stale


def _exports_needed(delta: Delta, previous: Manifest, changed_files: Collection[str]) -> bool:
    """Whether the exports can differ from the last build's (which must still be in place)."""
    if delta.display_changes & DISPLAY_READS:
        return True
    return not all(relative in previous.files and relative not in changed_files
                   for relative in _export_files())


def _export_files() -> list[str]:
    return [output_file(path).as_posix() for path in export_paths()]


def _note(rendered: Rendered, writer: OutputWriter, manifest: Manifest) -> None:
    if rendered.staged is None:
        writer.unchanged += 1
    else:
        writer.accept(rendered.staged)
    if rendered.entry is not None:
        manifest.files[rendered.relative] = rendered.entry


def _stage_search(state: tuple[RenderJob, SiteIndex, SiteCache, _ToKeep]) -> list[tuple[str, Rendered]]:
    """The search index, staged; and, after an index made afresh, that index kept for the next build
    (here, beside the pages: pickling it takes as long as the search index)."""
    job, index, cache, to_keep = state
    source_hashes = {identity: ref for identity, (ref, _) in job.record_refs.items()}
    staged = stage_raw_files(job, data_files(index, job.config, False, True, cache, source_hashes))
    if to_keep is not None:
        positions = {identity: position for identity, (_, position) in job.record_refs.items()}
        keep_index(cache, to_keep, index, positions)
    return staged


def _stage_exports(state: tuple[RenderJob, SiteIndex, SiteCache]) -> list[tuple[str, Rendered]]:
    job, index, cache = state
    source_hashes = {identity: ref for identity, (ref, _) in job.record_refs.items()}
    return stage_raw_files(job, data_files(index, job.config, True, False, cache, source_hashes,
                                           partial(earlier_bytes, job)))


def render_pages(job: RenderJob, jobs: int, progress: ProgressCallback) -> None:
    """Render every page and throw the bytes away, so `check` finds template errors too."""
    job.files = [output_file(page.path) for page in job.pages]
    for _ in map_chunks(render_chunk, range(len(job.pages)), job, jobs, 100,
                        lambda done: progress("render", done, len(job.pages))):
        pass


def _frame_signature(config: SiteConfig, options: BuildOptions, cache: SiteCache, report: Report) -> bytes:
    """Everything a build reads but the sources: config, options, code, templates, static files."""
    site_yaml = config.site_dir / CONFIG_FILE
    return digest(
        cache.key, site_yaml.read_bytes(), repr(replace(options, output_dir=None, jobs=0, clean=False)),
        files_fingerprint(template_dirs(config)), files_fingerprint(_static_dirs(config)),
        repr(report.problems),
    )


def _up_to_date(previous: Manifest, inputs: bytes, output_dir: Path) -> bool:
    return (previous.inputs == inputs and time.time() < previous.valid_until
            and all(file_unchanged(output_dir.joinpath(*relative.split("/")), entry)
                    for relative, entry in previous.files.items()))


def _valid_until(results: list[tuple[SourceFile, ReadResult]], options: BuildOptions) -> float:
    """When the next left-out future article comes due (and a no-change rebuild is not one)."""
    if options.future:
        return float("inf")
    now = time.time()
    dates = [record.date.timestamp() for _, result in results
             if isinstance(record := result.record, Article) and record.date.timestamp() > now]
    return min(dates, default=float("inf"))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection during a build.

    A build holds hundreds of thousands of long-lived objects (records, index)
    and makes almost no reference cycles; every collection would walk them all,
    which took a third of the time of loading the cache and listing pages.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _static_pages(config: SiteConfig) -> list[RawFile]:
    return [RawFile(site_path, source.read_bytes())
            for site_path, source in static_files(_static_dirs(config), config.site_dir).items()]


def _static_dirs(config: SiteConfig) -> list[Path]:
    return [theme_dir("static"), config.resolve(config.static_dir)]


def _output_dir(config: SiteConfig, options: BuildOptions) -> Path:
    """The output folder, refused if a build could delete the site's own files or the user's.

    A symbolic link is refused before the path is resolved: resolving it first would build into
    (and remove the files of) whatever folder it points at.
    """
    given = options.output_dir or config.resolve(config.output_dir)
    if given.is_symlink():
        raise OutputError([Problem(str(given), 0, "the output folder is a symbolic link",
                                   "point --output at a real folder; a build never writes through a link")])
    output = given.resolve()
    with contextlib.suppress(RuntimeError, KeyError):  # no home folder known
        if output == Path.home().resolve():
            raise OutputError([Problem(str(given), 0, "the output folder is your home folder",
                                       "pick a folder of its own, such as _site")])
    if output == Path(output.anchor):
        raise OutputError([Problem(str(given), 0, "the output folder is the root of the file system",
                                   "pick a folder of its own, such as _site")])
    site = config.site_dir.resolve()
    protected = [config.resolve(p).resolve() for p in
                 (config.content_dir, config.templates_dir, config.static_dir)]
    if output == site or site.is_relative_to(output) or any(
        output == p or output.is_relative_to(p) or p.is_relative_to(output) for p in protected
    ):
        raise OutputError([Problem("site.yaml", 0, f"the output folder {output} would overwrite the "
                                   "site's own files", "pick an output folder such as _site")])
    return output
