"""The preview server behind `python -m builder serve`.

MkDocs' lessons, kept: the site is built with the normal build() into a
temporary folder (never _site/), one folder reused so rebuilds only rewrite
what changed; a burst of file changes gives one rebuild; no request is
answered while a build is writing; after an error the last good build stays
up with the error over it (builder.preview); the reload script is injected
into responses only, never into built files; every response says
`Cache-Control: no-store`.

The browser side is the `livereload` package: its Server, WebSocket
protocol, client script (which keeps the scroll position on reload and swaps
stylesheets in place when only CSS changed) and script injection. Its own
watcher is left idle: it ignores changes for about 3 s after each reload,
which loses quick successive saves. Our watcher (builder.watch) rebuilds on
every settled change instead, and a tab that reconnects after missing a
reload (it was loading while the next rebuild finished) is told to reload
again, so the tab always ends on the latest save.

That takes livereload's handlers and tornado's server, not only livereload's
public Server.serve() (whose own watcher, with its quiet period, would lose
saves and add latency), so pyproject.toml holds both to the tested series.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import shutil
import signal
import socket
import sys
import tempfile
import threading
import webbrowser
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from livereload import Server
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from livereload.server import LiveScriptInjector
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from builder.config import CONFIG_FILE
from builder.errors import ConfigError, Problem
from builder.preview import BuildEvent, Preview

DEFAULT_PORT = 8000
PORT_TRIES = 20  # without --port, 8000 or one of the next free ports


@dataclass(frozen=True)
class ServeOptions:
    site_dir: Path
    host: str = "127.0.0.1"
    port: int | None = None  # None: DEFAULT_PORT, or the next free one
    drafts: bool = False
    open_browser: bool = False
    base_url: str | None = None  # --base-url: only its path counts, the host is this server


class PortError(Exception):
    """The server could not listen where it was asked to."""


def listen(host: str, port: int | None, default_port: int = DEFAULT_PORT) -> tuple[list[socket.socket], int]:
    """Sockets listening on `port`, or, with no port given, on the first free one from `default_port`."""
    candidates = [port] if port is not None else range(default_port, default_port + PORT_TRIES)
    for candidate in candidates:
        try:
            sockets = bind_sockets(candidate, host)
            return sockets, sockets[0].getsockname()[1]  # the port the system chose for port 0
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise PortError(f"cannot listen on {host}:{candidate}: {exc.strerror or exc} "
                                "(check --host)") from None
    if port is not None:
        raise PortError(f"port {port} on {host} is in use (stop the other server, or pass another "
                        "--port, or leave --port out to take the next free one)")
    raise PortError(f"ports {default_port}-{default_port + PORT_TRIES - 1} on {host} are all in use "
                    "(pass a free --port)")


def url_host(host: str) -> str:
    """The host name to put in links: a wildcard address is reached through localhost."""
    if host in ("", "0.0.0.0", "::"):
        return "localhost"
    return f"[{host}]" if ":" in host else host


# -- the server -----------------------------------------------------------------

# livereload's own snippet: load its client from this server, whatever host the tab used.
_LIVE_SCRIPT = (
    b'<script>(function(){var s=document.createElement("script");'
    b'var port=window.location.port||(window.location.protocol=="https:"?443:80);'
    b's.src="//"+window.location.hostname+":"+port+"/livereload.js?port="+port;'
    b"document.head.appendChild(s);})();</script>"
)


class _PageHandler(web.RequestHandler):
    """Every URL but livereload's: the preview's answer, waiting out a running build."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    async def get(self) -> None:
        while (response := self.preview.respond(self.request.path)) is None:
            await asyncio.sleep(0.02)
        self.set_status(response.status)
        self.set_header("Content-Type", response.content_type)
        self.set_header("Cache-Control", "no-store")
        if response.location:
            self.set_header("Location", response.location)
        self.finish(response.body)

    async def head(self) -> None:
        await self.get()

    def compute_etag(self) -> None:
        return None  # no ETag, so never a 304 for a page that a rebuild replaced


class _ReloadSocket(LiveReloadHandler):
    """livereload's WebSocket, with one addition: a tab that connects showing a page
    older than the latest build (it was loading when that build's reload went out)
    is told to reload again."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def on_message(self, message: str | bytes) -> None:
        super().on_message(message)
        with contextlib.suppress(ValueError, AttributeError):
            data = json.loads(message)
            if data.get("command") == "info" and self.preview.is_stale(str(data.get("url", ""))):
                self.send_message(_reload_message(self.preview.base_path))


def _reload_message(path: str) -> dict[str, object]:
    return {"command": "reload", "path": path, "liveCSS": True, "liveImg": True}


class PreviewServer(Server):
    """A livereload Server whose pages come from a Preview, on sockets bound beforehand."""

    def __init__(self, preview: Preview) -> None:
        super().__init__()
        self.preview = preview

    def get_web_handlers(self, script: bytes) -> list[tuple]:
        return [(r"/.*", _PageHandler, {"preview": self.preview})]

    def start(self, sockets: list[socket.socket]) -> HTTPServer:
        """Serve on `sockets` (livereload's application(), minus its own listen() and watcher)."""
        LiveReloadHandler.watcher = self.watcher  # never started: our watcher drives reloads
        LiveReloadHandler.live_css = True

        class Injector(LiveScriptInjector):
            script = _LIVE_SCRIPT

        app = web.Application(
            [(r"/livereload", _ReloadSocket, {"preview": self.preview}),
             (r"/livereload.js", LiveReloadJSHandler),
             *self.get_web_handlers(_LIVE_SCRIPT)],
            transforms=[Injector],
            log_function=lambda handler: None,  # the terminal shows builds, not every request
        )
        http = HTTPServer(app)
        http.add_sockets(sockets)
        return http

    def reload(self, paths: Iterable[str]) -> None:
        """Tell every connected tab to reload (or to swap the listed stylesheets)."""
        for path in paths:
            LiveReloadHandler.reload_waiters(path)


# -- the command ----------------------------------------------------------------


def serve(options: ServeOptions) -> int:
    """Run the preview until Ctrl-C (or SIGTERM); the temporary build goes with it.

    Errors in the site are shown in the browser while it runs; only a folder
    that is no site at all stops it before it starts.
    """
    if not (options.site_dir / CONFIG_FILE).is_file():
        raise ConfigError([Problem(CONFIG_FILE, 0, f"no {CONFIG_FILE} in {options.site_dir}",
                                   "run in a site folder or pass --site DIR")])
    if options.base_url is not None and not _is_web_address(options.base_url):
        print(f"serve: --base-url: '{options.base_url}' is not an http(s) address "
              "(e.g. https://user.github.io/archive/)", file=sys.stderr)
        return 2
    # The build's staging folder goes beside its output: both inside one temporary folder.
    temporary = Path(tempfile.mkdtemp(prefix="builder-serve-"))
    output_dir = temporary / "site"
    try:
        try:
            sockets, port = listen(options.host, options.port)
        except PortError as exc:
            print(f"serve: {exc}", file=sys.stderr)
            return 1
        origin = f"http://{url_host(options.host)}:{port}"
        preview = Preview(options.site_dir, output_dir, origin, options.drafts, base_url=options.base_url)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve_until_stopped(preview, sockets, options))
        return 0
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _is_web_address(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


async def _serve_until_stopped(preview: Preview, sockets: list[socket.socket],
                               options: ServeOptions) -> None:
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stopping.set)
    server = PreviewServer(preview)
    http = server.start(sockets)
    terminal = _Terminal(server, preview, options)
    preview.on_build = lambda event: loop.call_soon_threadsafe(terminal.built, event)
    preview.start()
    await stopping.wait()
    print("\nStopping (the build under way stops at its next step)…" if preview.building
          else "\nStopping…", flush=True)
    http.stop()
    await loop.run_in_executor(None, preview.stop)
    await http.close_all_connections()


class _Terminal:
    """Shows builds in the terminal and passes reloads to the browser (on the event loop)."""

    def __init__(self, server: PreviewServer, preview: Preview, options: ServeOptions) -> None:
        self.server = server
        self.preview = preview
        self.options = options
        self.warnings: tuple[Problem, ...] = ()

    def built(self, event: BuildEvent) -> None:
        if event.crash:
            print(event.crash, file=sys.stderr, end="")
        if event.ok:
            assert event.result is not None
            if event.result.warnings != self.warnings:  # repeat warnings only when they change
                for warning in event.result.warnings:
                    print(warning, file=sys.stderr)
                self.warnings = event.result.warnings
            what = "Built:" if not event.changed else f"Rebuilt after {_changes(event.changed)}:"
            print(f"{what} {event.result.pages_written} files written, {event.result.pages_unchanged} "
                  f"unchanged, {len(event.result.warnings)} warning"
                  f"{'' if len(event.result.warnings) == 1 else 's'}, {event.seconds:.2f} s", flush=True)
        else:
            for problem in event.problems:
                print(problem, file=sys.stderr)
            after = f" after {_changes(event.changed)}" if event.changed else ""
            serving = "still serving the last good build" if self.preview.has_output else "no page yet"
            print(f"Build failed{after}: the error shows in the browser; {serving}.",
                  file=sys.stderr, flush=True)
        if event.generation == 1:
            url = self.preview.origin + self.preview.base_path
            print(f"Serving {url} (Ctrl-C to stop)", flush=True)
            if self.options.open_browser:
                threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        self.server.reload(event.reload_paths)


def _changes(changed: tuple[str, ...]) -> str:
    if len(changed) == 1:
        return f"a change to {changed[0]}"
    shown = ", ".join(changed[:3]) + (", …" if len(changed) > 3 else "")
    return f"{len(changed)} changes ({shown})"

