"""A --relative-links build opened from file:// in headless Chromium: styled, navigable, searchable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browserutil import chromium
from tests.conftest import write_files
from tests.relativeutil import RELATIVE_SITE
from tests.siteutil import SiteFixture

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build, moved away from where it was made: it must work from any folder."""
    root = tmp_path_factory.mktemp("relative") / "site"
    write_files(root, RELATIVE_SITE)
    SiteFixture(root).build("--relative-links")
    moved = tmp_path_factory.mktemp("usb-stick") / "archive"
    (root / "_site").rename(moved)
    return moved


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        failed: list[str] = []
        # A file that is missing fails with ERR_FILE_NOT_FOUND; a click that leaves a page still
        # loading aborts its requests (ERR_ABORTED), which says nothing about the build.
        tab.on("requestfailed", lambda request: None if request.failure == "net::ERR_ABORTED"
               else failed.append(f"{request.url}: {request.failure}"))
        yield tab
    assert errors == []
    assert failed == []


def _styled(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(253, 252, 249)"


def test_links_across_kinds_from_file(output: Path, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    home = (output / "index.html").as_uri()
    page.goto(home)
    _styled(page)
    page.locator("a", has_text="Seoul, Tokyo bolster cooperation").first.click()
    expect(page.locator("h1")).to_have_text("Seoul, Tokyo bolster cooperation")
    expect(page).to_have_url((output / "articles/ministers/index.html").as_uri())
    _styled(page)
    page.locator(".chip", has_text="Seiji Maehara").first.click()
    expect(page.locator("h1")).to_have_text("Seiji Maehara")
    _styled(page)
    page.locator("a[href$='countries/japan/index.html']").first.click()
    expect(page.locator("h1")).to_have_text("Japan")
    expect(page).to_have_url((output / "countries/japan/index.html").as_uri())
    page.locator("a.site-title").click()
    expect(page).to_have_url(home)
    page.go_back()
    expect(page.locator("h1")).to_have_text("Japan")


def test_pagination_and_the_404_page_from_file(output: Path, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto((output / "countries/south-korea/index.html").as_uri())
    page.locator("a[rel=next]").first.click()
    expect(page).to_have_url((output / "countries/south-korea/page/2/index.html").as_uri())
    _styled(page)
    page.locator("a[rel=prev]").first.click()
    expect(page.locator("h1")).to_have_text("South Korea")
    page.goto((output / "404.html").as_uri())
    _styled(page)
    page.locator("a", has_text="Go to the front page").click()
    expect(page).to_have_url((output / "index.html").as_uri())


def test_search_from_file_finds_an_article(output: Path, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto((output / "index.html").as_uri())
    page.locator("nav a", has_text="Search").click()
    expect(page).to_have_url((output / "search/index.html").as_uri())
    _styled(page)
    page.fill("#search-query", "Maehara")
    expect(page.locator(".search-group-actors a")).to_have_text(["Seiji Maehara"])
    articles = page.locator(".search-group-articles a")
    expect(articles).to_have_text(["Links written by hand", "Seoul, Tokyo bolster cooperation"])
    articles.nth(1).click()
    expect(page).to_have_url((output / "articles/ministers/index.html").as_uri())
    expect(page.locator("h1")).to_have_text("Seoul, Tokyo bolster cooperation")
