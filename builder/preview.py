"""The site under preview: built into one folder, rebuilt on change, answered from.

`Preview` owns the state that the builder thread and the server share: the
latest good build in the output folder, the problems of a failed build (laid
over every page, escaped, until a save fixes them), the base path, and a
generation count that tells which open tabs show an old page. It never
answers a request while a build runs, so no page is ever half-built, and it
never writes into the built files: the error overlay exists in responses only.
"""

from __future__ import annotations

import contextlib
import gc
import html
import mimetypes
import re
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from builder.build import BuildOptions, BuildResult, build
from builder.cache import CacheMemory, SiteCache
from builder.config import CONFIG_FILE, SiteConfig, load_config
from builder.errors import BuilderError, Problem, Report
from builder.urls import UnsafePathError, UrlMap, output_file
from builder.watch import Watcher


@dataclass(frozen=True)
class BuildEvent:
    """What one build did: for the terminal, the browser and tests."""

    generation: int
    changed: tuple[str, ...]  # site-relative paths that caused it; empty for the first build
    result: BuildResult | None  # None when the build failed
    problems: tuple[Problem, ...]  # why it failed
    crash: str  # a traceback when the builder itself broke (a bug, not the user's)
    seconds: float
    reload_paths: tuple[str, ...]  # what the browser reloads: stylesheets alone, or the page

    @property
    def ok(self) -> bool:
        return self.result is not None


class _Stopped(Exception):
    """Raised through build() to abandon it when the preview stops."""


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes
    location: str = ""


class Preview:
    """The site under preview: builds it, rebuilds it on change, and answers requests from the result.

    Builds run on a thread of their own; requests arrive on the server's event
    loop. `lock` guards the state both share, and is held while a response is
    read, so a build never starts writing in the middle of one.
    """

    def __init__(self, site_dir: Path, output_dir: Path, origin: str, drafts: bool = False,
                 on_build: Callable[[BuildEvent], None] = lambda event: None,
                 base_url: str | None = None) -> None:
        self.site_dir = site_dir.resolve()
        self.output_dir = output_dir
        self.origin = origin  # http://host:port, where the preview is served
        self.drafts = drafts
        self.base_url = base_url  # serve --base-url: its path replaces site.yaml's base_url's
        self.on_build = on_build
        self.lock = threading.Lock()
        self.building = True
        self.generation = 0  # counts builds; a page older than the latest is stale
        self.base_path = "/"
        self.problems: tuple[Problem, ...] = ()
        self.has_output = False
        self.config: SiteConfig | None = None  # of the last good build
        self.watched = self._watched_paths(Path("content"), Path("templates"), Path("static"))
        self.static_dir = self.site_dir / "static"
        self.watcher = Watcher(lambda: self.watched)
        self.cache_memory = CacheMemory()  # what the last build saved, handed to the next one
        self._served: dict[str, int] = {}  # URL path -> generation of the last HTML served there
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- building ---------------------------------------------------------------

    def start(self) -> None:
        """Build now, then rebuild on every change, on a background thread."""
        self._thread = threading.Thread(target=self._run, name="preview-builder", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching and building; once this returns the output folder can go.

        The build cache keeps a manifest per output folder; this one is never
        built again, so its manifest is dropped rather than left in .cache/.
        """
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.config is not None:
            SiteCache(self.site_dir, self.config).forget_manifest(self.output_dir, with_base=True)

    def _run(self) -> None:
        self.watcher.start()  # before building: a save during the build is seen next
        try:
            with contextlib.suppress(_Stopped):  # a build cut short by stop() leaves the output as it was
                self.rebuild(())
                self.watcher.refresh()
                while True:
                    changed = self.watcher.wait(self._stop)
                    if changed is None:
                        return
                    self.rebuild(self._relative(changed))
                    self.watcher.refresh()  # site.yaml may have moved the folders
        finally:
            self.watcher.close()

    def rebuild(self, changed: Iterable[str]) -> BuildEvent:
        """Build into the output folder; on failure keep the last good build and remember why."""
        with self.lock:
            self.building = True
        _COLLECTOR.hold()
        started = time.perf_counter()
        result: BuildResult | None = None
        problems: tuple[Problem, ...] = ()
        crash = ""
        base_path = self.base_path
        try:
            # The base path comes from site.yaml (or --base-url); the host is this server, so feeds and
            # canonical links point at the preview.
            config = load_config(self.site_dir, Report(), self.base_url)
            base_path = config.base_path
            self.watched = self._watched_paths(config.content_dir, config.templates_dir, config.static_dir)
            self.static_dir = config.resolve(config.static_dir).resolve()
            options = BuildOptions(output_dir=self.output_dir, base_url=self.origin + base_path,
                                   drafts=self.drafts)
            result = build(self.site_dir, options, self._progress, self.cache_memory)
        except _Stopped:
            with self.lock:
                self.building = False
            _COLLECTOR.release_later()
            raise
        except BuilderError as exc:
            problems = exc.problems
        except Exception as exc:  # keep serving whatever breaks; the terminal gets the traceback
            problems = (Problem("builder", 0, f"internal error: {type(exc).__name__}: {exc}",
                                "see the terminal; please report it"),)
            crash = traceback.format_exc()
        with self.lock:
            was_ok = not self.problems and self.has_output
            self.generation += 1
            if result is not None:
                self.config = result.config
                self.base_path = base_path
                self.has_output = True
                self.problems = ()
            else:
                self.problems = problems
            changed = tuple(sorted(changed))
            event = BuildEvent(self.generation, changed, result, problems, crash,
                               time.perf_counter() - started,
                               self._reload_paths(changed) if result is not None and was_ok
                               else (self.base_path,))
            self.building = False
        try:
            self.on_build(event)
        finally:
            _COLLECTOR.release_later()
        return event

    def _progress(self, stage: str, done: int, total: int) -> None:
        if self._stop.is_set():  # Ctrl-C: abandon the build rather than wait for it
            raise _Stopped

    def _watched_paths(self, *folders: Path) -> list[Path]:
        return [*(folder if folder.is_absolute() else self.site_dir / folder for folder in folders),
                self.site_dir / CONFIG_FILE]

    def _relative(self, paths: Iterable[str]) -> list[str]:
        shown = []
        for path in paths:
            try:
                shown.append(Path(path).relative_to(self.site_dir).as_posix())
            except ValueError:
                shown.append(path)
        return shown

    def _reload_paths(self, changed: tuple[str, ...]) -> tuple[str, ...]:
        """Stylesheets (or images) to refresh in place when nothing else changed; else the page."""
        assert self.config is not None
        urls = UrlMap(self.config)
        live: list[str] = []
        for relative in changed:
            path = self.site_dir / relative
            if not (path.is_relative_to(self.static_dir) and _LIVE_ASSET.search(relative)
                    and path.is_file()):
                return (self.base_path,)
            live.append(urls.href("static/" + path.relative_to(self.static_dir).as_posix()))
        return tuple(live) or (self.base_path,)

    # -- answering requests -------------------------------------------------------

    def respond(self, raw_path: str) -> Response | None:
        """The response for a URL path, or None while a build is running (ask again)."""
        with self.lock:
            if self.building:
                return None
            path = unquote(raw_path)
            response = self._respond(path)
            if response.content_type.startswith("text/html"):
                self._served[path] = self.generation
            return response

    def is_stale(self, url: str) -> bool:
        """Whether the page a tab shows was served before the latest build."""
        path = unquote(urlsplit(url).path)
        with self.lock:
            return self._served.get(path, self.generation) < self.generation

    def _respond(self, path: str) -> Response:
        base = self.base_path
        decoded_base = unquote(base)  # base_url's path is percent-encoded; `path` is decoded
        if not self.has_output:
            return Response(500, _HTML, error_page(self.problems))
        if base != "/" and path in ("/", decoded_base.rstrip("/")):
            return _redirect(base)
        if not path.startswith(decoded_base):
            return Response(404, _HTML, _not_here_page(base))
        try:
            relative = output_file(path[len(decoded_base):])
        except UnsafePathError:
            return self._not_found()
        file = self.output_dir.joinpath(*relative.parts)
        if file.is_dir():
            return _redirect(path + "/")  # as GitHub Pages does for a folder without its slash
        if not file.is_file():
            return self._not_found()
        return self._file(200, file)

    def _not_found(self) -> Response:
        page = self.output_dir / "404.html"
        if page.is_file():
            return self._file(404, page)
        return Response(404, _HTML, b"<!doctype html><title>Not found</title><h1>Not found</h1>")

    def _file(self, status: int, file: Path) -> Response:
        content_type = _content_type(file)
        body = file.read_bytes()
        if self.problems and content_type == _HTML:
            body = _with_overlay(body, self.problems)
        return Response(status, content_type, body)


class _DeferredCollector:
    """Python's cyclic garbage collector, held off from a build until a moment after it.

    build() pauses the collector and, resuming it, at once pays for a collection
    of all the build left alive (0.06-0.2 s at 10,000 articles): on the way from
    a save to the reloaded tab. Held here over the build, it resumes a second
    later, when the tab has reloaded and the build's result is gone. The
    collector is the process's, so there is one of these for every Preview.
    """

    DELAY_SECONDS = 1.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._building = 0  # builds under way
        self._holds = 0  # builds ever begun: a release resumes only if none began since
        self._paused_here = False
        self._was_enabled = False

    def hold(self) -> None:
        with self._lock:
            if not self._paused_here:
                self._was_enabled, self._paused_here = gc.isenabled(), True
            self._building += 1
            self._holds += 1
            gc.disable()

    def release_later(self) -> None:
        with self._lock:
            self._building -= 1
            holds = self._holds
        timer = threading.Timer(self.DELAY_SECONDS, self._release, (holds,))
        timer.daemon = True
        timer.start()

    def _release(self, holds: int) -> None:
        with self._lock:
            if self._paused_here and not self._building and self._holds == holds:
                self._paused_here = False
                if self._was_enabled:
                    gc.enable()


_COLLECTOR = _DeferredCollector()


_HTML = "text/html; charset=utf-8"
_LIVE_ASSET = re.compile(r"\.(css|jpe?g|png|gif)$", re.IGNORECASE)  # what livereload.js swaps in place
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def _content_type(file: Path) -> str:
    if file.suffix in (".html", ".htm"):
        return _HTML
    guessed = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    textual = guessed.startswith("text/") or guessed in ("application/json", "application/xml",
                                                         "application/javascript")
    return f"{guessed}; charset=utf-8" if textual else guessed


def _redirect(location: str) -> Response:
    return Response(302, _HTML, b"", location)


def error_overlay(problems: Iterable[Problem]) -> str:
    """The build error as a box over the page: every `path:line: message`, escaped."""
    lines = "\n".join(html.escape(str(problem)) for problem in problems)
    return (
        '<div id="builder-build-error" role="alert" style="position:fixed;top:0;left:0;right:0;'
        "z-index:2147483647;max-height:70vh;overflow:auto;margin:0;padding:1rem 1.25rem;"
        "background:#fff5f5;color:#58151c;border-bottom:4px solid #c81e1e;"
        'box-shadow:0 4px 16px rgba(0,0,0,.25);font:15px/1.5 system-ui,sans-serif;text-align:left">'
        '<p style="margin:0 0 .5rem"><strong>The build failed.</strong> This is the last good build; '
        "save a fix and the page reloads.</p>"
        '<pre style="margin:0;white-space:pre-wrap;font:14px/1.5 ui-monospace,monospace;'
        f'background:none;color:inherit">{lines}</pre></div>'
    )


def error_page(problems: Iterable[Problem]) -> bytes:
    """A page for when there is no good build to show at all."""
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Build failed</title>'
            f"</head><body>{error_overlay(problems)}</body></html>").encode()


def _with_overlay(body: bytes, problems: Iterable[Problem]) -> bytes:
    overlay = error_overlay(problems).encode()
    ends = list(_BODY_END.finditer(body))
    if not ends:
        return body + overlay
    at = ends[-1].start()
    return body[:at] + overlay + body[at:]


def _not_here_page(base_path: str) -> bytes:
    link = html.escape(base_path)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>'
            f'<body><p>This preview serves the site under <a href="{link}">{link}</a>, '
            "as GitHub Pages will.</p></body></html>").encode()
