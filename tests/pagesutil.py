"""A local stand-in for GitHub Pages, and a crawler that follows every internal link.

`PagesServer` serves an output folder the way Pages serves a project site:
under a path prefix (`/archive/`), `index.html` for folders, a redirect from
`/archive/x` to `/archive/x/` for folders, `x.html` for `/x`, and the site's
own `404.html` with status 404 for anything missing.

`crawl()` starts at the prefix and follows links in HTML (a, link, script,
img, srcset, form, JSON-LD, any attribute holding a site URL), CSS (`url()`,
`@import`), feeds and sitemaps (XML hrefs and URL texts, and links in their
embedded HTML), robots.txt (`Sitemap:`), JSON and CSV (any value that is a
site URL or a root-relative path), resolving each against the page's public
URL (base_url's origin + path). A same-host URL outside the prefix is broken.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import mimetypes
import re
import threading
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup

_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
_ROOTED_PATH = re.compile(r"/[A-Za-z0-9\-._~%/#?=&+:@]*")
_LINK_ATTRIBUTES = ("href", "src", "action", "poster", "data")


class _PagesHandler(BaseHTTPRequestHandler):
    def __init__(self, *args, root: Path, prefix: str, **kwargs) -> None:
        self.root = root
        self.prefix = prefix
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: object) -> None:  # quiet: tests read statuses
        pass

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def _respond(self, send_body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        if path + "/" == self.prefix:
            return self._redirect(self.prefix)
        if not path.startswith(self.prefix):
            return self._not_found(send_body)
        relative = path[len(self.prefix):]
        target = (self.root / relative).resolve()
        if not target.is_relative_to(self.root.resolve()):
            return self._not_found(send_body)
        if target.is_dir():
            if not path.endswith("/"):
                return self._redirect(path + "/")
            target = target / "index.html"
        elif not target.exists() and relative and target.with_name(target.name + ".html").is_file():
            target = target.with_name(target.name + ".html")
        if not target.is_file():
            return self._not_found(send_body)
        self._send(200, target.read_bytes(), _content_type(target), send_body)

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _not_found(self, send_body: bool) -> None:
        page = self.root / "404.html"
        body = page.read_bytes() if page.is_file() else b"404"
        self._send(404, body, "text/html; charset=utf-8", send_body)

    def _send(self, status: int, body: bytes, content_type: str, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


def _content_type(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind.endswith(("xml", "json")) else kind


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str
    location: str = ""


@dataclass(frozen=True)
class PagesServer:
    host: str
    port: int
    prefix: str

    def get(self, path: str) -> Response:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            connection.request("GET", path)
            answer = connection.getresponse()
            return Response(answer.status, answer.read(), answer.getheader("Content-Type", ""),
                            answer.getheader("Location", ""))
        finally:
            connection.close()


@contextmanager
def pages_server(root: Path, prefix: str = "/") -> Iterator[PagesServer]:
    """Serve `root` under `prefix` on 127.0.0.1 (a free port) for the duration of the block."""
    handler = partial(_PagesHandler, root=root, prefix=prefix)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield PagesServer("127.0.0.1", server.server_address[1], prefix)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class Crawl:
    """What a crawl saw: every page (path -> status), every link and what broke."""

    pages: dict[str, int] = field(default_factory=dict)  # HTML paths reached with 200
    fetched: dict[str, int] = field(default_factory=dict)  # every internal URL path -> final status
    links: int = 0  # internal link references checked (a link on ten pages counts ten times)
    broken: list[tuple[str, str, str]] = field(default_factory=list)  # (found on, link, why)
    redirected: set[str] = field(default_factory=set)
    canonical_mismatches: list[tuple[str, str]] = field(default_factory=list)
    relative_feed_links: list[tuple[str, str]] = field(default_factory=list)


def crawl(server: PagesServer, base_url: str, start: str | None = None,
          also: tuple[str, ...] = ()) -> Crawl:
    """Follow every internal reference from `start` (default: the prefix) and `also`, breadth-first."""
    base = urlsplit(base_url)
    result = Crawl()
    seeds = [start or server.prefix, *also]
    queue: deque[str] = deque(seeds)
    found_on: dict[str, tuple[str, str]] = {seed: ("(start)", seed) for seed in seeds}
    while queue:
        path = queue.popleft()
        response, final_path = _fetch(server, path, result)
        result.fetched[path] = response.status
        if response.status != 200:
            page, link = found_on[path]
            result.broken.append((page, link, f"status {response.status}"))
            continue
        public_url = f"{base.scheme}://{base.netloc}{final_path}"
        for link, must_be_absolute in links_in(response, public_url, base_url, result, final_path):
            if must_be_absolute and not urlsplit(link).scheme:
                result.relative_feed_links.append((final_path, link))
            target = urlsplit(urljoin(public_url, link))
            if target.scheme not in ("http", "https") or target.netloc != base.netloc:
                continue
            result.links += 1
            target_path = target.path or "/"
            if not target_path.startswith(server.prefix):
                result.broken.append((final_path, link, f"outside the site's path {server.prefix}"))
            elif target_path not in found_on:
                found_on[target_path] = (final_path, link)
                queue.append(target_path)
    return result


def _fetch(server: PagesServer, path: str, result: Crawl) -> tuple[Response, str]:
    response = server.get(path)
    if response.status == 301 and response.location:
        result.redirected.add(path)
        path = urlsplit(urljoin(path, response.location)).path
        response = server.get(path)
    if response.status == 200 and response.content_type.startswith("text/html"):
        result.pages[path] = 200
    return response, path


def links_in(response: Response, public_url: str, base_url: str, result: Crawl,
             path: str) -> Iterator[tuple[str, bool]]:
    """(link, must_be_absolute) for every reference in a response, by its type."""
    kind = response.content_type.split(";")[0].strip()
    text = response.body.decode("utf-8", errors="replace")
    if kind == "text/html":
        soup = BeautifulSoup(text, "html.parser")
        canonical = soup.find("link", rel="canonical")
        if canonical is not None and canonical.get("href") != public_url:
            result.canonical_mismatches.append((public_url, str(canonical.get("href"))))
        for link in html_links(soup, base_url):
            yield link, False
    elif kind == "text/css":
        for match in _CSS_URL.finditer(text):
            link = match.group(2) or match.group(4)
            if not link.startswith("data:"):
                yield link, False
    elif kind.endswith("xml"):
        yield from _xml_links(text, base_url)
    elif kind == "application/json":
        for link in _json_links(json.loads(text), base_url):
            yield link, False
    elif kind == "text/csv":
        for row in csv.reader(io.StringIO(text)):
            yield from ((cell, False) for cell in row if looks_like_site_url(cell, base_url))
    elif path.endswith("robots.txt"):
        for line in text.splitlines():
            if line.lower().startswith("sitemap:"):
                yield line.split(":", 1)[1].strip(), True


def looks_like_site_url(value: str, base_url: str) -> bool:
    """An absolute URL on the site's host, or a root-relative path ('/archive/x/', '/x/')."""
    base = urlsplit(base_url)
    origin = f"{base.scheme}://{base.netloc}"
    if value == origin or value.startswith(origin + "/"):
        return True
    return len(value) > 1 and not value.startswith("//") and bool(_ROOTED_PATH.fullmatch(value))


def html_links(soup: BeautifulSoup, base_url: str) -> Iterator[str]:
    """Every reference in an HTML document that a browser or a reader could follow."""
    for script in soup.find_all("script", type="application/ld+json"):
        yield from _json_links(json.loads(script.get_text()), base_url)
    for tag in soup.find_all(True):
        for attribute, value in tag.attrs.items():
            if not isinstance(value, str):
                continue
            value = value.strip()
            if attribute in _LINK_ATTRIBUTES:
                if value and not value.startswith("#"):
                    yield value
            elif attribute in ("srcset", "imagesrcset"):
                for candidate in value.split(","):
                    if candidate.strip():
                        yield candidate.split()[0]
            elif looks_like_site_url(value, base_url):
                yield value  # data-* attributes, og:url, and the like holding a site URL
            elif attribute == "content" and value.startswith(("http://", "https://")):
                yield value


def _xml_links(text: str, base_url: str) -> Iterator[tuple[str, bool]]:
    root = ET.fromstring(text.encode("utf-8"))
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1]
        href = element.get("href")
        if href is not None:
            yield href, True
        content = (element.text or "").strip()
        is_url_text = local in ("loc", "link", "uri", "icon", "logo") or (
            local == "id" and content.startswith(("http://", "https://")))
        if is_url_text and content:
            yield content, True
        elif local in ("content", "summary", "description") and "<" in content:
            soup = BeautifulSoup(content, "html.parser")
            for link in html_links(soup, base_url):
                yield link, True


def _json_links(value: object, base_url: str) -> Iterator[str]:
    """Site URLs anywhere in a JSON value (search documents, graph nodes, JSON-LD)."""
    if isinstance(value, dict):
        for child in value.values():
            yield from _json_links(child, base_url)
    elif isinstance(value, list):
        for child in value:
            yield from _json_links(child, base_url)
    elif isinstance(value, str) and looks_like_site_url(value, base_url):
        yield value


def html_files_as_paths(output: Path, prefix: str) -> set[str]:
    """The URL path of every HTML file in an output folder, as Pages would serve it."""
    paths = set()
    for file in output.rglob("*.html"):
        relative = file.relative_to(output).as_posix()
        if relative == "index.html":
            paths.add(prefix)
        elif relative.endswith("/index.html"):
            paths.add(prefix + relative[: -len("index.html")])
        else:
            paths.add(prefix + relative)
    return paths
