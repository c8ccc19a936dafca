"""Work split across processes: parsing sources and rendering pages.

Both are pure functions of data the main process already holds, so workers
are forked after that data exists and inherit it: only chunk numbers go to a
worker, and only results (records, or small notes about files written) come
back. Each worker keeps one Markdown instance and one Jinja environment for
all its chunks. With one job, too little work to pay for a fork, or other
threads running (forking a threaded process can deadlock the child; the
preview server builds on a thread), the same code runs in the main process.
Results come back in input order, so output never depends on scheduling.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.reduction import ForkingPickler
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any, TypeVar

from builder.cache import OutputEntry, RecordEntry, SignaturePickler, digest, file_unchanged, still_written
from builder.cache import _reduce_mapping_proxy as reduce_mapping_proxy
from builder.config import SiteConfig
from builder.delta import record_shape
from builder.errors import BuilderError, Problem
from builder.markup import MarkdownRenderer
from builder.output import OutputWriter, StagedFile, stage_file
from builder.reader import ReadResult, SourceFile, read_source
from builder.render import Page, RawFile, Renderer
from builder.urls import output_file

ForkingPickler.register(MappingProxyType, reduce_mapping_proxy)

MIN_ITEMS_FOR_WORKERS = 64  # below this, forking costs more than it saves
Item = TypeVar("Item")
Result = TypeVar("Result")
_state: Any = None  # the current job's shared data, inherited by forked workers


def default_jobs() -> int:
    return os.cpu_count() or 1


@dataclass(frozen=True)
class _Failed:
    """A BuilderError raised in a worker, carried back by value (its problems)."""

    error_type: type[BuilderError]
    problems: tuple[Problem, ...]


def _can_fork(jobs: int, items: int) -> bool:
    """Forking a process with other threads can deadlock the child (the preview server builds on a
    thread), and with one job or little work it costs more than it saves."""
    return (jobs > 1 and items >= MIN_ITEMS_FOR_WORKERS and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())


def map_chunks(
    task: Callable[[Any, Sequence[Item]], Result], items: Sequence[Item], state: Any, jobs: int,
    chunk_size: int, done: Callable[[int], None] | None = None,
) -> Iterator[Result]:
    """task(state, chunk) over chunks of items, in order; in forked workers when it pays.

    Chunks hold at most `chunk_size` items, and fewer when there is little work,
    so that every worker gets several chunks.
    """
    global _state
    use_workers = _can_fork(jobs, len(items))
    if use_workers:
        chunk_size = max(1, min(chunk_size, -(-len(items) // (jobs * 4))))
    chunks = [items[start:start + chunk_size] for start in range(0, len(items), chunk_size)]
    finished = 0
    if not use_workers:
        for chunk in chunks:
            yield task(state, chunk)
            finished += len(chunk)
            if done:
                done(finished)
        return
    _state = state
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(chunks)), _quiet_worker) as pool:
            for chunk, result in zip(chunks, pool.imap(_run_in_worker, [(task, c) for c in chunks]),
                                     strict=True):
                if isinstance(result, _Failed):
                    raise result.error_type(result.problems)
                yield result
                finished += len(chunk)
                if done:
                    done(finished)
    finally:
        _state = None


def _quiet_worker() -> None:
    """Ctrl-C and `kill` are the main process's to handle: it stops the workers and cleans up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run_in_worker(job: tuple[Callable[[Any, Sequence[Any]], Any], Sequence[Any]]) -> Any:
    task, chunk = job
    try:
        return task(_state, chunk)
    except BuilderError as exc:
        return _Failed(type(exc), exc.problems)


class Background:
    """task(state), computed in a forked process while the caller goes on; `result()` waits for it.

    For work the main process would otherwise do alone while workers render
    (the search index and the exports): with a spare core it costs no wall
    time. A bare process and a pipe, not a Pool: a Pool's helper threads
    would stop the render workers from being forked. Where forking does not
    pay or is unsafe, `result()` computes it in this process. Leaving the
    `with` block stops the process.
    """

    def __init__(self, task: Callable[[Any], Any], state: Any, jobs: int, size: int) -> None:
        self._task, self._state = task, state
        self._process: Any = None
        if _can_fork(jobs, size):
            context = multiprocessing.get_context("fork")
            self._receiver, sender = context.Pipe(duplex=False)
            try:
                self._process = context.Process(target=_send_result, daemon=True,
                                                args=(task, state, sender, self._receiver))
                self._process.start()
            except OSError:  # no process to be had: compute it here when asked
                self._process = None
            sender.close()

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._receiver.close()
            self._process = None

    def result(self) -> Any:
        if self._process is None:
            return self._task(self._state)
        try:
            value = self._receiver.recv()
        except EOFError:  # the process died without a word (killed, out of memory): do it here
            value = self._task(self._state)
        self.__exit__()
        if isinstance(value, _Failed):
            raise value.error_type(value.problems)
        return value


def _send_result(task: Callable[[Any], Any], state: Any, sender: Any, receiver: Any) -> None:
    _quiet_worker()
    receiver.close()  # or a dead parent's pipe would stay open here and `send` wait forever
    try:
        value = task(state)
    except BuilderError as exc:
        value = _Failed(type(exc), exc.problems)
    with contextlib.suppress(OSError):  # the build was stopped: nobody is listening
        sender.send(value)
    sender.close()


# --- Reading -------------------------------------------------------------------------

@dataclass
class ReadJob:
    config: SiteConfig
    sources: Sequence[SourceFile]
    markdown: MarkdownRenderer | None = None  # made once per process, on first use


def read_chunk(job: ReadJob, numbers: Sequence[int]) -> list[tuple[int, RecordEntry]]:
    """Parse the sources at these positions: (position, entry with the bytes' hash)."""
    if job.markdown is None:
        job.markdown = MarkdownRenderer(job.config)
    results = []
    for number in numbers:
        source = job.sources[number]
        try:
            raw = source.read_bytes()
        except OSError as exc:
            problem = Problem(source.relative, 1, f"cannot read: {exc.strerror}")
            results.append((number, RecordEntry(source.kind, b"", ReadResult(None, (problem,)),
                                                record_shape(None, (problem,)))))
            continue
        result = read_source(source, raw, job.config, job.markdown)
        raw_digest = digest(raw)
        results.append((number, RecordEntry(source.kind, raw_digest, result,
                                            record_shape(result.record, result.problems),
                                            digest(source.kind, source.relative, raw_digest))))
    return results


# --- Rendering and staging -----------------------------------------------------------

@dataclass
class RenderJob:
    """Everything a worker needs to render pages and stage their files."""

    config: SiteConfig
    pages: Sequence[Any]  # Page, or anything with `path` and `data` (bytes written as they are)
    files: Sequence[PurePosixPath] | Mapping[int, PurePosixPath]  # the output file of each page (to render)
    environment: bytes  # hash of code, config and templates: part of every signature
    record_refs: dict[int, tuple[bytes, int]]  # id(record) -> (hash of its source, source's position)
    previous: dict[str, OutputEntry] = field(default_factory=dict)
    writer: OutputWriter | None = None  # None: render only (check)
    renderer: Renderer | None = None
    pickler: SignaturePickler | None = None


@dataclass(frozen=True)
class Rendered:
    """What happened to one output file."""

    relative: str
    entry: OutputEntry | None  # for the manifest; None when it could not be signed
    staged: StagedFile | None  # None: the file on disk is already right


def render_chunk(job: RenderJob, numbers: Sequence[int]) -> list[Rendered]:
    if job.renderer is None:
        job.renderer = Renderer(job.config)
    if job.pickler is None:
        job.pickler = SignaturePickler(job.record_refs)
    if job.writer is None:  # check: render, throw the bytes away
        for number in numbers:
            job.renderer.render(job.pages[number])
        return []
    return [render_and_stage(job, job.pages[number], job.files[number]) for number in numbers]


def stage_raw_files(job: RenderJob, files: Iterable[RawFile]) -> list[tuple[str, Rendered]]:
    """Stage files made in Python as they come, each let go once staged: (site path, what happened).

    Only these small notes go back to the main process, never the bytes
    (the data exports alone are hundreds of megabytes at 100,000 articles).
    """
    staged = []
    for raw in files:
        staged.append((raw.path, render_and_stage(job, raw, output_file(raw.path))))
        del raw  # before the next file is made
    return staged


def earlier_bytes(job: RenderJob, site_path: str, wanted: bytes) -> bytes | None:
    """A file's bytes as the last build wrote them, if the manifest gives them the hash `wanted` and
    the file's stat is still as written (what a rebuild trusts of every page); else None."""
    if job.writer is None:
        return None
    file = output_file(site_path)
    entry = job.previous.get(file.as_posix())
    target = job.writer.output_dir.joinpath(*file.parts)
    if entry is None or entry.digest != wanted or not file_unchanged(target, entry):
        return None
    try:
        data = target.read_bytes()
    except OSError:
        return None
    return data if len(data) == entry.size else None


def render_and_stage(job: RenderJob, page: Page | RawFile, file: PurePosixPath) -> Rendered:
    """Render a page unless its signature and file are unchanged; stage it unless its bytes are."""
    assert job.writer is not None
    relative = file.as_posix()
    deps: array[int] | None = None
    data_digest: bytes | None = None
    if isinstance(page, RawFile):  # its bytes are made already: their hash is its signature
        data_digest = page.digest or digest(page.data)
        signature: bytes | None = digest(b"raw", data_digest)
    else:
        assert job.pickler is not None
        signature, deps = job.pickler.page_signature(job.environment, page.path, page.template, page.context)
    target = job.writer.output_dir.joinpath(*file.parts)
    old = job.previous.get(relative)
    if old is not None and signature is not None and old.signature == signature \
            and (kept := still_written(target, old)) is not None:
        return Rendered(relative, replace(kept, deps=deps), None)
    if isinstance(page, RawFile):
        data = page.data
    else:
        assert job.renderer is not None
        data = job.renderer.render(page)
    if data_digest is None:
        data_digest = digest(data)
    if old is not None and old.digest == data_digest and (kept := still_written(target, old)) is not None:
        return Rendered(relative, replace(kept, signature=signature, deps=deps), None)
    if old is None and job.writer.is_unchanged(file, data):
        stat = target.stat()
        return Rendered(relative, OutputEntry(signature, stat.st_size, stat.st_mtime_ns, stat.st_ino,
                                              data_digest, deps, stat.st_ctime_ns), None)
    staged = stage_file(job.writer.staging_dir, file, data)
    return Rendered(relative, OutputEntry(signature, staged.size, staged.mtime_ns, staged.inode, data_digest,
                                          deps), staged)
