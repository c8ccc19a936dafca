"""Every URL and output path is decided here.

Pages are addressed by a site path such as 'articles/x/' (no leading slash).
`href()` puts the base path in front (so a project site under '/archive/'
works everywhere at once) and `output_file()` maps a site path to a file
inside the output folder, refusing anything that could escape it.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote, urlsplit

from builder.config import SLUG_PATTERN, SiteConfig

_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")


def is_valid_slug(slug: str) -> bool:
    return bool(SLUG_PATTERN.match(slug))


def slug_from_filename(stem: str, is_article: bool) -> str:
    """An article's slug drops its leading YYYY-MM-DD- date."""
    return _DATE_PREFIX.sub("", stem, count=1) if is_article else stem


def slugify(text: str) -> str:
    """A valid slug from a title or name: ASCII-folded, lowercase, hyphenated."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug[:80].rstrip("-") or "untitled"


def article_path(slug: str) -> str:
    return f"articles/{slug}/"


def entity_path(kind: str, slug: str) -> str:
    return f"{kind}/{slug}/"


def kind_path(kind: str) -> str:
    return f"{kind}/"


def paginated(path: str, page_number: int) -> str:
    """Page 1 is the path itself; later pages live under page/N/."""
    return path if page_number <= 1 else f"{path}page/{page_number}/"


_NEEDS_QUOTING = re.compile(r"[^A-Za-z0-9/#?=&%._~-]")


class UrlMap:
    """Turns site paths into links, absolute URLs and output files."""

    def __init__(self, config: SiteConfig) -> None:
        parts = urlsplit(config.base_url)
        self.base_path = config.base_path
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.relative = config.relative_links
        self._rooted = re.compile(r'(\s(?:href|src|action|data-index)=")' + re.escape(self.base_path)
                                  + r'(?!/)([^"]*)"') if self.relative else None

    def link_from(self, page_path: str, site_path: str) -> str:
        """The link to a site path as written on the page at `page_path` (relative in relative mode)."""
        return relative_link(page_path, site_path) if self.relative else self.href(site_path)

    def relative_html(self, html: str, page_path: str) -> str:
        """A page's root-relative links (its templates' and its Markdown's) made relative to it.

        For relative mode only, after rendering: one pass catches every link
        however it was made, and served pages never pay for it.
        """
        assert self._rooted is not None, "relative_html() is for relative mode"
        up = _up(page_path)
        return self._rooted.sub(lambda m: f'{m[1]}{up}{_file_link(m[2])}"', html)

    def href(self, site_path: str) -> str:
        """The root-relative link to a site path, under the base path."""
        path = site_path.lstrip("/")
        if not _NEEDS_QUOTING.search(path):  # slugs are made of safe characters: skip quote()
            return self.base_path + path
        return self.base_path + quote(path, safe="/#?=&%.-_~")

    def absolute(self, site_path: str) -> str:
        return self.origin + self.href(site_path)

    def site_rooted(self, link: str) -> str:
        """An author's root-relative link ('/countries/japan/') put under the base path, as written.

        '/' in a body means the site's root, which on a project site is the base path.
        """
        return self.base_path + link.lstrip("/")


def relative_link(page_path: str, site_path: str) -> str:
    """The link from the page at `page_path` to `site_path`, relative, naming index.html files.

    Opened from file://, a folder link shows a folder listing, so 'actors/kim/'
    seen from 'articles/x/' is '../../actors/kim/index.html'.
    """
    link = _file_link(site_path.lstrip("/"))
    if _NEEDS_QUOTING.search(link):
        link = quote(link, safe="/#?=&%.-_~")
    return _up(page_path) + link


def _up(page_path: str) -> str:
    """'../' once per folder the page is in: '' and '404.html' -> '', 'articles/x/' -> '../../'."""
    return "../" * page_path.count("/")


def _file_link(path: str) -> str:
    """'actors/kim/#x' -> 'actors/kim/index.html#x'; '' -> 'index.html'; files stay as they are."""
    end = len(path)
    for mark in ("?", "#"):
        found = path.find(mark)
        if found != -1:
            end = min(end, found)
    if end == 0 or path[end - 1] == "/":
        return f"{path[:end]}index.html{path[end:]}"
    return path


class UnsafePathError(ValueError):
    pass


def output_file(site_path: str) -> PurePosixPath:
    """The file, relative to the output folder, that serves `site_path`."""
    if "\0" in site_path or "\\" in site_path or site_path.startswith("/"):
        raise UnsafePathError(f"unsafe output path {site_path!r}")
    path = PurePosixPath(site_path + "index.html" if site_path.endswith("/") or not site_path
                         else site_path)
    if any(part in ("..", ".", "") for part in path.parts) or path.is_absolute():
        raise UnsafePathError(f"unsafe output path {site_path!r}")
    return path


def feed_path(page_path: str) -> str:
    """The Atom feed beside a page: '' -> 'feed.xml', 'actors/x/' -> 'actors/x/feed.xml'."""
    return f"{page_path}feed.xml"


def timeline_path() -> str:
    return "timeline/"


def archive_path(year: int | None = None, month: int | None = None) -> str:
    """'archive/', 'archive/2011/' or 'archive/2011/02/'."""
    if year is None:
        return "archive/"
    return f"archive/{year:04d}/" if month is None else f"archive/{year:04d}/{month:02d}/"


def search_path() -> str:
    return "search/"


def data_path(name: str) -> str:
    """A machine-readable export under data/, e.g. 'graph.json'."""
    return f"data/{name}"
