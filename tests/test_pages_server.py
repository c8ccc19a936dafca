"""The sample archive served the way GitHub Pages serves it: under /archive/ and at a domain root.

A crawl from the home page follows every internal link, stylesheet, script,
image, feed and sitemap entry; nothing may be broken, every page must be
reached, and the 404 page must work at any depth. The Actions workflow that
publishes the site is checked here too.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from builder.cli import run
from tests.conftest import REPO_ROOT
from tests.pagesutil import Crawl, crawl, html_files_as_paths, html_links, pages_server
from tests.siteutil import parse_html

PROJECT_SITE = "https://user.github.io/archive/"
CUSTOM_DOMAIN = "https://archive.example.org/"


@dataclass(frozen=True)
class Served:
    base_url: str
    output: Path

    @property
    def prefix(self) -> str:
        return urlsplit(self.base_url).path


def build_sample(tmp_path: Path, base_url: str) -> Served:
    """The repository's own site.yaml and content/, with the default theme, built for `base_url`."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(REPO_ROOT / "site.yaml", site / "site.yaml")
    shutil.copytree(REPO_ROOT / "content", site / "content")
    output = tmp_path / "out"
    assert run(["build", "--site", str(site), "--output", str(output), "--base-url", base_url]) == 0
    return Served(base_url, output)


@pytest.fixture(scope="module", params=[PROJECT_SITE, CUSTOM_DOMAIN], ids=["project-path", "domain-root"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Served:
    return build_sample(tmp_path_factory.mktemp("pages"), request.param)


# Files that programs read without a link from a page: feeds, sitemap, robots.txt, and the
# data and search files that scripts fetch. Every link inside them is checked too.
DATA_SUFFIXES = (".xml", ".json", ".txt", ".csv")


@pytest.fixture(scope="module")
def crawled_from_home(served: Served) -> Crawl:
    with pages_server(served.output, served.prefix) as server:
        return crawl(server, served.base_url)


@pytest.fixture(scope="module")
def crawled(served: Served) -> Crawl:
    also = tuple(served.prefix + p.relative_to(served.output).as_posix()
                 for p in sorted(served.output.rglob("*")) if p.suffix in DATA_SUFFIXES)
    with pages_server(served.output, served.prefix) as server:
        return crawl(server, served.base_url, also=also)


def test_a_crawl_from_the_home_page_finds_nothing_broken(served: Served, crawled: Crawl) -> None:
    result = crawled
    assert result.broken == []
    assert result.canonical_mismatches == []
    assert result.relative_feed_links == []
    assert result.redirected == set(), "internal links should point at folders with their slash"
    assert result.links > len(result.pages) > 10
    print(f"\n{served.base_url}: {len(result.pages)} pages, {result.links} internal links "
          f"({len(result.fetched)} distinct URLs) checked")


def test_every_page_of_the_output_is_reached_from_the_home_page(
        served: Served, crawled_from_home: Crawl) -> None:
    result = crawled_from_home
    expected = html_files_as_paths(served.output, served.prefix) - {served.prefix + "404.html"}
    assert expected - set(result.pages) == set()


def test_every_stylesheet_script_and_image_is_served(served: Served, crawled: Crawl) -> None:
    """The crawl fetched every asset the home page names, under the prefix."""
    home = parse_html((served.output / "index.html").read_text(encoding="utf-8"))
    stylesheet = home.find("link", rel="stylesheet")["href"]
    assert stylesheet == served.prefix + "static/style.css"
    result = crawled
    assets = [urlsplit(urljoin(served.base_url, tag.get("href") or tag.get("src"))).path
              for tag in home.find_all(["link", "script", "img"]) if tag.get("href") or tag.get("src")]
    for asset in assets:
        if asset.startswith(served.prefix):
            assert result.fetched.get(asset) == 200, asset


def test_a_missing_deep_path_gets_the_404_page_whose_links_work(served: Served) -> None:
    with pages_server(served.output, served.prefix) as server:
        missing = server.get(served.prefix + "articles/no-such-article/page/3/")
        assert missing.status == 404
        page = parse_html(missing.body.decode("utf-8"))
        assert page.h1.get_text(strip=True) == "Page not found"
        page_url = urljoin(served.base_url, "articles/no-such-article/page/3/")
        links = [urljoin(page_url, link) for link in html_links(page, served.base_url)]
        internal = [urlsplit(link).path for link in links
                    if urlsplit(link).netloc == urlsplit(served.base_url).netloc]
        assert served.prefix + "static/style.css" in internal
        assert served.prefix in internal
        for path in internal:
            assert server.get(path).status == 200, path


def test_the_server_behaves_like_pages(served: Served) -> None:
    """The stand-in itself: folders, redirects, the prefix and the 404 status."""
    with pages_server(served.output, served.prefix) as server:
        assert server.get(served.prefix).status == 200
        article = served.prefix + "articles/seoul-tokyo-bolster-cooperation"
        folder = server.get(article)
        assert (folder.status, folder.location) == (301, article + "/")
        assert server.get(served.prefix + "static/style.css").content_type.startswith("text/css")
        if served.prefix != "/":
            assert server.get("/articles/seoul-tokyo-bolster-cooperation/").status == 404
        assert server.get(served.prefix + "../site.yaml").status == 404


def test_a_root_relative_link_that_forgets_the_base_path_is_caught(tmp_path: Path) -> None:
    """The crawl can fail: a hand-written '/static/...' link breaks under /archive/."""
    output = tmp_path / "out"
    output.mkdir()
    (output / "index.html").write_text('<a href="/static/style.css">css</a><a href="gone/">x</a>')
    (output / "404.html").write_text("<h1>Page not found</h1>")
    with pages_server(output, "/archive/") as server:
        result = crawl(server, PROJECT_SITE)
    assert ("/archive/", "/static/style.css", "outside the site's path /archive/") in result.broken
    assert ("/archive/", "gone/", "status 404") in result.broken


def test_feeds_sitemaps_robots_and_json_are_crawled_too(tmp_path: Path) -> None:
    """Links in feeds (and their embedded HTML), sitemaps, robots.txt and JSON are checked."""
    files = {
        "index.html": '<link rel="alternate" type="application/atom+xml" href="/archive/feed.xml">'
                      '<a href="/archive/a/">a</a><div data-index="/archive/data/graph.json"></div>'
                      '<script type="application/ld+json">{"@context": "https://schema.org", '
                      '"url": "https://user.github.io/archive/", '
                      '"isPartOf": {"url": "https://user.github.io/b/"}}</script>',
        "a/index.html": "<h1>A</h1>",
        "404.html": "<h1>Page not found</h1>",
        "feed.xml": """<?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
              <id>tag:example.org,2011:feed</id>
              <link rel="self" href="https://user.github.io/archive/feed.xml"/>
              <entry><link href="https://user.github.io/archive/a/"/>
                <content type="html">&lt;a href="/archive/gone/"&gt;x&lt;/a&gt;</content></entry>
              <entry><link href="https://user.github.io/a/"/></entry>
              <entry><link href="a/"/></entry>
            </feed>""",
        "sitemap.xml": """<?xml version="1.0" encoding="utf-8"?>
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <url><loc>https://user.github.io/archive/missing/</loc></url></urlset>""",
        "robots.txt": "User-agent: *\nSitemap: https://user.github.io/archive/sitemap.xml\n",
        "data/graph.json": '{"nodes": [{"url": "/archive/a/"}, {"url": "/archive/nowhere/"}], '
                           '"docs": [[0, "/archive/a/", "A title / with a slash"], [1, "/c/"]]}',
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    with pages_server(tmp_path, "/archive/") as server:
        result = crawl(server, PROJECT_SITE, also=("/archive/robots.txt",))
    broken = {(link, why) for _, link, why in result.broken}
    assert broken == {
        ("/archive/gone/", "status 404"),
        ("https://user.github.io/a/", "outside the site's path /archive/"),
        ("https://user.github.io/archive/missing/", "status 404"),
        ("/archive/nowhere/", "status 404"),
        ("https://user.github.io/b/", "outside the site's path /archive/"),
        ("/c/", "outside the site's path /archive/"),
    }
    # Feed readers resolve relative links unreliably: feeds must carry absolute URLs.
    assert result.relative_feed_links == [("/archive/feed.xml", "/archive/gone/"),
                                          ("/archive/feed.xml", "a/")]
    assert result.fetched["/archive/data/graph.json"] == 200


WORKFLOW = REPO_ROOT / ".github" / "workflows" / "pages.yml"


def test_the_pages_workflow_builds_with_the_pages_base_url_and_deploys() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"]["group"] == "pages"

    build = workflow["jobs"]["build"]["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in build]
    assert uses.index("actions/checkout") < uses.index("actions/setup-python") \
        < uses.index("actions/configure-pages") < uses.index("actions/upload-pages-artifact")
    setup = build[uses.index("actions/setup-python")]
    assert setup["with"]["cache"] == "pip"
    runs = [step.get("run", "") for step in build]
    assert any("pip install ." in command for command in runs)
    configure = build[uses.index("actions/configure-pages")]
    build_command = next(command for command in runs if "python -m builder build" in command)
    assert "--strict" in build_command
    assert f'--base-url "${{{{ steps.{configure["id"]}.outputs.base_url }}}}/"' in build_command
    assert runs.index(build_command) > uses.index("actions/configure-pages")
    assert build[uses.index("actions/upload-pages-artifact")]["with"]["path"] == "_site"

    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    step = next(s for s in deploy["steps"] if s.get("uses", "").startswith("actions/deploy-pages@"))
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["environment"]["url"] == f"${{{{ steps.{step['id']}.outputs.page_url }}}}"


def test_the_workflow_build_command_works_with_what_configure_pages_gives(tmp_path: Path) -> None:
    """configure-pages' base_url has no trailing slash; the workflow adds it, the build keeps one."""
    for number, (pages_base_url, prefix) in enumerate((("https://user.github.io/archive", "/archive/"),
                                                       ("https://archive.example.org", "/"))):
        folder = tmp_path / str(number)
        folder.mkdir()
        served = build_sample(folder, pages_base_url + "/")
        home = parse_html((served.output / "index.html").read_text(encoding="utf-8"))
        assert home.find("link", rel="stylesheet")["href"] == prefix + "static/style.css"
