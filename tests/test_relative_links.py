"""--relative-links: every link in every page resolves to a file on disk, and only pages change."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tests.conftest import write_files
from tests.relativeutil import RELATIVE_SITE, html_files
from tests.siteutil import SiteFixture, internal_links, parse_html


def _site(tmp_path: Path, name: str = "site") -> SiteFixture:
    write_files(tmp_path / name, RELATIVE_SITE)
    return SiteFixture(tmp_path / name)


def _snapshot(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()}


def test_every_href_and_src_resolves_to_a_file(tmp_path: Path) -> None:
    site = _site(tmp_path)
    site.build("--relative-links")
    output = site.output.resolve()
    pages = html_files(output)
    assert len(pages) > 30
    checked = 0
    for page in pages:
        soup = parse_html(page.read_text(encoding="utf-8"))
        links = internal_links(soup) + [form["action"] for form in soup.find_all("form")]
        for link in links:
            assert not link.startswith("/"), f"{page.relative_to(output)}: root-relative {link}"
            target = (page.parent / unquote(urlsplit(link).path)).resolve()
            assert target.is_relative_to(output), f"{page.relative_to(output)}: {link} leaves the site"
            assert target.is_file(), f"{page.relative_to(output)}: {link} is not a file"
            checked += 1
    assert checked > 500


def test_links_name_index_files_and_markdown_links_follow(tmp_path: Path) -> None:
    site = _site(tmp_path)
    site.build("--relative-links")
    article = site.page("articles/links/")
    body = article.select_one(".body")
    assert [a["href"] for a in body.find_all("a")] == [
        "../../timeline/index.html#y2011", "../../countries/japan/index.html",
        "../../actors/seiji-maehara/index.html"]
    assert body.find("img")["src"] == "../../static/images/map.png"
    assert article.find("link", rel="stylesheet")["href"] == "../../static/style.css"
    assert site.page("").select_one("a.site-title")["href"] == "index.html"
    assert site.page("404.html").find("link", rel="stylesheet")["href"] == "static/style.css"
    pager = site.page("countries/south-korea/page/2/").find("a", rel="prev")
    assert pager["href"] == "../../../../countries/south-korea/index.html"


def test_feeds_sitemap_canonical_and_json_ld_stay_absolute(tmp_path: Path) -> None:
    site = _site(tmp_path)
    site.build("--relative-links")
    article = site.page("articles/links/")
    assert article.find("link", rel="canonical")["href"] == "https://user.github.io/archive/articles/links/"
    assert "https://user.github.io/archive/articles/links/" in article.find(
        "script", type="application/ld+json").string
    feed = (site.output / "feed.xml").read_text(encoding="utf-8")
    assert "https://user.github.io/archive/articles/links/" in feed and "index.html" not in feed
    assert "<loc>https://user.github.io/archive/articles/links/</loc>" in (
        site.output / "sitemap.xml").read_text(encoding="utf-8")


def test_search_data_comes_as_scripts_with_links_from_the_search_page(tmp_path: Path) -> None:
    site = _site(tmp_path)
    site.build("--relative-links")
    form = site.page("search/").find("form", class_="search-form")
    assert (form["data-index"], form["data-load"]) == ("../search/index.html", "script")
    manifest = (site.output / "search/manifest.js").read_text(encoding="utf-8")
    assert manifest.startswith('builderSearch("manifest.json",{')
    docs = (site.output / "search/docs/0.js").read_text(encoding="utf-8")
    assert '"../articles/links/index.html"' in docs and '"../actors/seiji-maehara/index.html"' in docs


def test_site_yaml_key_and_the_flag_that_overrides_it(tmp_path: Path) -> None:
    site = _site(tmp_path)
    site.write("site.yaml", (site.root / "site.yaml").read_text() + "relative_links: true\n")
    site.build()
    assert site.page("articles/links/").find("link", rel="stylesheet")["href"] == "../../static/style.css"
    site.build("--no-relative-links")
    assert site.page("articles/links/").find("link", rel="stylesheet")["href"] == "/archive/static/style.css"
    assert not (site.output / "search/manifest.js").exists()


def test_a_relative_links_value_that_is_not_a_boolean_is_named(tmp_path: Path) -> None:
    site = _site(tmp_path)
    text = (site.root / "site.yaml").read_text()
    site.write("site.yaml", text + "relative_links: yes\n")
    result = site.run("build")
    assert result.exit_code == 1
    line = text.count("\n") + 1
    assert f"site.yaml:{line}: relative_links: must be true or false" in result.stderr
    assert "Traceback" not in result.stderr


def test_switching_the_mode_back_and_forth_matches_clean_builds(tmp_path: Path) -> None:
    site = _site(tmp_path)
    built = []
    for flag in ("--relative-links", "--no-relative-links", "--relative-links", "--no-relative-links"):
        site.build(flag)
        built.append(_snapshot(site.output))
    for flag, expected in (("--relative-links", built[0]), ("--no-relative-links", built[1])):
        shutil.rmtree(site.root / ".cache", ignore_errors=True)
        shutil.rmtree(site.output)
        site.build(flag)
        assert _snapshot(site.output) == expected
    assert built[2] == built[0] and built[3] == built[1]
    assert built[0] != built[1]


def test_an_edit_rebuilt_in_relative_mode_matches_a_clean_build(tmp_path: Path) -> None:
    site = _site(tmp_path)
    site.build("--relative-links")
    source = site.root / "content/articles/2011-03-01-links.md"
    source.write_text(source.read_text().replace("Links written by hand", "Links by hand"))
    result = site.build("--relative-links")
    assert "0 unchanged" not in result.stdout
    edited = _snapshot(site.output)
    assert '"Links by hand"' in (site.output / "search/docs/0.js").read_text(encoding="utf-8")
    shutil.rmtree(site.root / ".cache", ignore_errors=True)
    shutil.rmtree(site.output)
    site.build("--relative-links")
    assert _snapshot(site.output) == edited
