"""`serve` end to end in headless Chromium: edits show in an open tab without a manual reload."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browserutil import chromium
from tests.serveutil import ServeProcess, eventually

# A real browser reloading while files are saved under it: once in a few dozen full runs of the
# suite the tab never answered Playwright again after the quick saves (the build behind it was
# done in 74 ms). Such a hang fails after two minutes and the test is run again.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(120), pytest.mark.flaky(reruns=2)]

ARTICLE = "content/articles/2011-02-17-talks.md"
SITE_YAML = "title: Test Archive\nbase_url: https://user.github.io/archive/\n"


def article(title: str, extra: str = "") -> str:
    """A long article (so the tab can scroll) with the given title."""
    body = "\n\n".join(f"Paragraph {n} of the report on the talks." for n in range(80))
    return f'---\ntitle: "{title}"\ndate: 2011-02-17\n{extra}---\n{body}\n'


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One headless Chromium (a fresh profile) for this module's tests."""
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


def _scroll_y(page) -> float:  # type: ignore[no-untyped-def]
    try:
        return float(page.evaluate("window.scrollY"))
    except Exception:  # the page is between two loads
        return -1.0


def test_edits_errors_and_quick_saves_show_in_the_open_tab(browser, make_site, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    site = make_site({"site.yaml": SITE_YAML, ARTICLE: article("Seoul, Tokyo talk")})
    temporary = tmp_path / "tmp"
    with ServeProcess(site.root, "--port", "0", tmpdir=temporary) as server:
        base = server.wait_for_url()
        assert base.endswith("/archive/")
        page = browser.new_page()
        page.goto(base + "articles/talks/")
        heading = page.locator("main h1")
        expect(heading).to_have_text("Seoul, Tokyo talk")

        # An edit shows by itself, and the tab keeps its scroll position.
        page.evaluate("window.scrollTo(0, 900)")
        scrolled = _scroll_y(page)
        assert scrolled > 800
        site.write(ARTICLE, article("Talks resume in Seoul"))
        expect(heading).to_have_text("Talks resume in Seoul")
        eventually(lambda: abs(_scroll_y(page) - scrolled) < 2, message="scroll position lost")

        # Broken front matter: the error, located, over the last good build.
        site.write(ARTICLE, article("x").replace('title: "x"', 'title: "unclosed'))
        overlay = page.locator("#builder-build-error")
        expect(overlay).to_contain_text(f"{ARTICLE}:")
        expect(overlay).to_contain_text("invalid YAML")
        expect(heading).to_have_text("Talks resume in Seoul")

        # Messages are escaped: markup in them is shown as text.
        site.write(ARTICLE, article("Talks resume in Seoul", 'actors: ["<b>bold</b>"]\n'))
        expect(overlay).to_contain_text("'<b>bold</b>'")
        assert overlay.locator("b").count() == 0

        # Fixing the file recovers without a restart.
        site.write(ARTICLE, article("Talks, fixed"))
        expect(heading).to_have_text("Talks, fixed")
        expect(overlay).to_have_count(0)

        # Quick successive saves, some landing while the tab reloads: the last one wins.
        for number, pause in enumerate([0.02, 0.25, 0.1, 0.4, 0.05, 0.3, 0.15]):
            site.write(ARTICLE, article(f"Draft {number}"))
            time.sleep(pause)
        site.write(ARTICLE, article("The final text"))
        expect(heading).to_have_text("The final text")

        # The reload script was only ever in responses, never in the built files.
        built = [p for p in temporary.rglob("*.html")]
        assert built and not any("livereload" in p.read_text(encoding="utf-8") for p in built)
        page.close()

        assert server.stop() == 0
    assert "Traceback" not in "".join(server.stderr)
    assert list(temporary.iterdir()) == []  # the temporary build is gone


def test_css_change_swaps_the_stylesheet_without_reloading(browser, make_site) -> None:
    from playwright.sync_api import expect

    site = make_site({"site.yaml": SITE_YAML, ARTICLE: article("Seoul, Tokyo talk"),
                      "static/style.css": "h1 { color: rgb(10, 20, 30); }\n"})
    with ServeProcess(site.root, "--port", "0") as server:
        base = server.wait_for_url()
        origin = base[: -len("/archive/")]
        page = browser.new_page()
        page.goto(origin + "/")  # the site lives under base_url's path; / leads there
        assert page.url == base
        page.goto(base + "articles/talks/")
        heading = page.locator("main h1")
        expect(heading).to_have_css("color", "rgb(10, 20, 30)")
        page.evaluate("window.notReloaded = true")

        site.write("static/style.css", "h1 { color: rgb(200, 0, 0); }\n")
        expect(heading).to_have_css("color", "rgb(200, 0, 0)")
        assert page.evaluate("window.notReloaded") is True
        page.close()
