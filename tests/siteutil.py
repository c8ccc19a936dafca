"""Helpers for tests: build a fixture site in-process and read its output with a real parser."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

from builder.cli import run


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class SiteFixture:
    root: Path

    @property
    def output(self) -> Path:
        return self.root / "_site"

    def run(self, *args: str) -> CliResult:
        """Run the CLI in-process with --site pointing here."""
        out, err = io.StringIO(), io.StringIO()
        argv = list(args)
        if argv and argv[0] in ("build", "check") and "--site" not in argv:
            argv += ["--site", str(self.root)]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = run(argv)
            except SystemExit as exc:  # argparse usage errors
                code = int(exc.code or 0)
        return CliResult(code, out.getvalue(), err.getvalue())

    def build(self, *args: str) -> CliResult:
        result = self.run("build", *args)
        assert result.exit_code == 0, result.stderr
        return result

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def page(self, site_path: str, output: Path | None = None) -> BeautifulSoup:
        """Parse the output file serving `site_path` ('articles/x/' or 'feed.xml')."""
        return parse_html(output_file(output or self.output, site_path).read_text(encoding="utf-8"))

    def files(self, output: Path | None = None) -> set[str]:
        base = output or self.output
        return {p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file()}


def parse_html(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "html.parser")


def output_file(output: Path, site_path: str) -> Path:
    site_path = site_path.lstrip("/")
    return output / (site_path + "index.html" if site_path.endswith("/") or not site_path else site_path)


def internal_links(soup: BeautifulSoup) -> list[str]:
    """Every href/src in a page that stays on the site (no scheme, no host)."""
    links = []
    for tag in soup.find_all(True):
        for attribute in ("href", "src"):
            value = tag.get(attribute)
            if value and not urlsplit(value).scheme and not value.startswith(("#", "//")):
                links.append(value)
    return links


def broken_links(output: Path, base_path: str = "/") -> list[tuple[str, str]]:
    """(page, link) for every internal link in any HTML page that resolves to no file."""
    broken = []
    for page in sorted(output.rglob("*.html")):
        soup = parse_html(page.read_text(encoding="utf-8"))
        page_url = base_path + page.relative_to(output).as_posix()
        for link in internal_links(soup):
            path = urlsplit(urljoin(page_url, link)).path  # relative links resolve from the page
            if not path.startswith(base_path):
                broken.append((page.relative_to(output).as_posix(), link))
                continue
            target = output_file(output, path[len(base_path):])
            if not target.is_file():
                broken.append((page.relative_to(output).as_posix(), link))
    return broken
