"""static/search.js in headless Chromium, against the real index, served under a base path."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browserutil import chromium
from tests.conftest import write_files
from tests.pagesutil import PagesServer, pages_server
from tests.siteutil import SiteFixture
from tests.test_finding import BASE_PATH, INJECTION, SITE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PagesServer]:
    root = tmp_path_factory.mktemp("finding-browser") / "site"
    write_files(root, SITE)
    site = SiteFixture(root)
    site.build()
    with pages_server(site.output, BASE_PATH) as served:
        yield served


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        context.add_init_script("window.alert = () => { window.__alerted = true; };")
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        yield tab
    assert errors == []


def test_a_name_finds_the_actor_and_the_articles(server: PagesServer, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(f"http://{server.host}:{server.port}{BASE_PATH}search/?q=Maehara")
    actor = page.locator(".search-group-actors a")
    expect(actor).to_have_text(["Seiji Maehara"])
    assert actor.get_attribute("href") == f"{BASE_PATH}actors/seiji-maehara/"
    expect(page.locator(".search-group-articles a")).to_have_text(["Seoul, Tokyo bolster cooperation"])
    expect(page.locator("#search-status")).to_contain_text("2 results")
    assert page.input_value("#search-query") == "Maehara"


def test_typing_searches_and_results_stay_text(server: PagesServer, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(f"http://{server.host}:{server.port}{BASE_PATH}search/")
    page.fill("#search-query", "zürich")
    link = page.locator(".search-group-articles a")
    expect(link).to_have_text([INJECTION])
    assert page.locator("#search-results script, #search-results b").count() == 0
    assert page.evaluate("window.__alerted === undefined")
    assert "q=z%C3%BCrich" in page.url
    link.click()
    expect(page.locator("h1")).to_have_text(INJECTION)


def test_no_match_says_so(server: PagesServer, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(f"http://{server.host}:{server.port}{BASE_PATH}search/?q=colonels+kyoto")
    expect(page.locator("#search-status")).to_contain_text("Nothing found")
    assert page.locator(".search-result").count() == 0
