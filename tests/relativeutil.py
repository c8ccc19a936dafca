"""A small archive with every kind of page, built with --relative-links, for the relative-mode tests."""

from __future__ import annotations

from pathlib import Path

from tests.test_finding import SITE

# The finding site (three kinds, pagination, a base path, quotes, events) plus Markdown links and an
# image written root-relative, as an author would: they must come out relative too.
RELATIVE_SITE: dict[str, str | bytes] = {
    **SITE,
    "content/articles/2011-03-01-links.md": """\
        ---
        title: "Links written by hand"
        date: 2011-03-01
        countries: [japan]
        ---
        See [the timeline](/timeline/#y2011), [Japan](/countries/japan/) and
        [Maehara](actor:seiji-maehara).

        ![A map](/static/images/map.png)
        """,
    "static/images/map.png": b"\x89PNG\r\n\x1a\n",
}


def html_files(output: Path) -> list[Path]:
    return sorted(output.rglob("*.html"))
