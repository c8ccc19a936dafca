"""Every URL the builder writes lives under base_url's path (a GitHub Pages project site)."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.siteutil import broken_links

BODY_LINKS = {
    "content/articles/2011-03-01-links.md": """\
        ---
        title: Links written by hand
        date: 2011-03-01
        ---
        See [Japan](/countries/japan/), [the talks](/articles/talks/#quotes),
        [a sibling](../talks/), [elsewhere](https://example.com/x) and
        [a protocol-relative host](//example.com/y).

        ![The stylesheet as an image](/static/style.css)
        """,
}


def test_base_url_on_the_command_line_overrides_site_yaml(make_site) -> None:
    site = make_site()
    site.build("--base-url", "https://user.github.io/archive/")
    page = site.page("articles/talks/")
    assert page.find("link", rel="stylesheet")["href"] == "/archive/static/style.css"
    assert page.find("a", class_="site-title")["href"] == "/archive/"
    assert page.find("link", rel="canonical")["href"] == "https://user.github.io/archive/articles/talks/"
    assert site.page("").find("link", rel="canonical")["href"] == "https://user.github.io/archive/"
    assert site.page("404.html").find("link", rel="canonical") is None
    assert broken_links(site.output, "/archive/") == []


def test_a_base_url_without_its_trailing_slash_still_means_a_folder(make_site) -> None:
    site = make_site()
    site.build("--base-url", "https://user.github.io/archive")
    assert site.page("").find("link", rel="stylesheet")["href"] == "/archive/static/style.css"


def test_root_relative_links_in_bodies_mean_the_site_root(make_site) -> None:
    """'/countries/japan/' in Markdown must not escape /archive/ (a link that works locally only)."""
    site = make_site(BODY_LINKS)
    site.build("--base-url", "https://user.github.io/archive/")
    body = site.page("articles/links/").find("main")
    hrefs = {a.get_text(): a["href"] for a in body.find_all("a") if a.get_text() in
             ("Japan", "the talks", "a sibling", "elsewhere", "a protocol-relative host")}
    assert hrefs == {
        "Japan": "/archive/countries/japan/",
        "the talks": "/archive/articles/talks/#quotes",
        "a sibling": "../talks/",
        "elsewhere": "https://example.com/x",
        "a protocol-relative host": "//example.com/y",
    }
    assert body.find("img", alt="The stylesheet as an image")["src"] == "/archive/static/style.css"
    assert broken_links(site.output, "/archive/") == []


def test_at_a_domain_root_links_start_at_the_root(make_site) -> None:
    site = make_site(BODY_LINKS)
    site.build("--base-url", "https://archive.example.org/")
    body = site.page("articles/links/").find("main")
    japan = next(a for a in body.find_all("a") if a.get_text() == "Japan")
    assert japan["href"] == "/countries/japan/"
    for link in (a["href"] for a in site.page("404.html").find_all("a") if a["href"][0] != "#"):
        assert urlsplit(link).path.startswith("/"), "the 404 page is served at any depth"
    assert broken_links(site.output, "/") == []
