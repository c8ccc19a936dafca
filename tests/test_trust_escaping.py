"""Escaping: content can never run code in a reader's browser.

Hostile text goes into every front-matter field a page shows (titles, names,
bylines, sources, summaries, quotes, aliases, facts, URLs) and into bodies;
every output file is then searched, whatever pages exist (HTML, JSON-LD,
feeds, search index), so new page families are covered as they are added.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote
from xml.etree import ElementTree

import pytest

from builder.markup import browser_url, url_scheme
from tests.conftest import REPO_ROOT
from tests.siteutil import parse_html
from tests.trustutil import locations

PAYLOAD = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>&amp;</title>"
MARKER = "<script>alert("
HOSTILE_URL = "https://example.org/?q=\"><script>alert(3)</script>"
SAFE_SCHEMES = {"", "http", "https", "mailto", "tel"}


def hostile_site(make_site, extra_site_yaml: str = ""):
    quoted = json.dumps(PAYLOAD)  # a YAML double-quoted string is JSON-compatible here
    return make_site({
        "site.yaml": f"title: {json.dumps('Archive ' + PAYLOAD)}\nbase_url: https://example.org/\n"
                     f"description: {quoted}\nauthor: {quoted}\n{extra_site_yaml}",
        "content/articles/2011-02-17-talks.md": f"""\
            ---
            title: {json.dumps('Title ' + PAYLOAD)}
            date: 2011-02-17
            byline: {quoted}
            source: {quoted}
            source_url: {json.dumps(HOSTILE_URL)}
            summary: {quoted}
            actors: [kim-sung-hwan]
            countries: [south-korea, japan]
            quotes:
              - by: kim-sung-hwan
                text: {quoted}
            ---
            Body <script>alert(4)</script> and <b onmouseover=alert(5)>bold</b>.

            [js](javascript:alert(6)) [data](data:text/html;base64,PHNjcmlwdD4=)
            [tab](java\tscript:alert(7)) [kim](actor:kim-sung-hwan)
            ![img](javascript:alert(8)) <javascript:alert(9)>

            [ref]: javascript:alert(10)
            See [ref].
            """,
        "content/actors/kim-sung-hwan.md": f"""\
            ---
            name: {json.dumps('Kim ' + PAYLOAD)}
            aliases: [{quoted}, plain]
            role: {quoted}
            country: south-korea
            website: {json.dumps(HOSTILE_URL)}
            ---
            Description <iframe src=javascript:alert(11)></iframe>.
            """,
    })


def assert_nothing_runs(output):
    """No output file carries live script, event handlers or unsafe URLs."""
    for path in sorted(p for p in output.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".csv":  # data for researchers, served as text/csv: values exactly as written
            continue
        assert MARKER not in text, f"{path}: unescaped payload"
        if path.suffix == ".json":
            json.loads(text)  # the payload did not break the data's syntax
        elif path.suffix == ".xml":
            ElementTree.fromstring(text.encode("utf-8"))
        if path.suffix != ".html":
            continue
        page = parse_html(text)
        for script in page.find_all("script"):
            assert "alert(" not in script.get_text() or script.get("type") == "application/ld+json"
            if script.get("type") == "application/ld+json":
                json.loads(script.get_text())  # still valid JSON: nothing broke out of it
        for tag in page.find_all(True):
            assert tag.name not in ("iframe", "object", "embed"), f"{path}: <{tag.name}>"
            for name, value in tag.attrs.items():
                assert not name.lower().startswith("on"), f"{path}: {tag.name} {name}={value}"
                if name in ("href", "src", "action", "formaction", "srcset"):
                    scheme = url_scheme("".join(browser_url(value).split()))
                    assert scheme in SAFE_SCHEMES, f"{path}: {tag.name} {name}={value!r}"


def test_hostile_fields_are_escaped_everywhere(make_site):
    site = hostile_site(make_site)
    result = site.build()
    assert_nothing_runs(site.output)
    article = site.page("articles/talks/")
    assert article.h1.get_text() == "Title " + PAYLOAD  # shown as text, exactly as written
    assert article.title.get_text().startswith("Title " + PAYLOAD)
    assert PAYLOAD in article.select_one(".byline").get_text()
    assert PAYLOAD in article.select_one("blockquote").get_text()
    assert unquote(article.find("a", string=PAYLOAD)["href"]) == HOSTILE_URL  # encoded, same address
    kim = site.page("actors/kim-sung-hwan/")
    assert kim.h1.get_text() == "Kim " + PAYLOAD
    assert PAYLOAD in kim.select_one(".aliases").get_text()
    assert [a for a in kim.find_all("a") if unquote(a.get("href", "")) == HOSTILE_URL]
    body = article.select_one(".body")
    assert "<script>alert(4)</script>" in body.get_text()  # raw HTML shows as text
    assert body.find("b") is None
    files = {p.relative_to(site.output).as_posix() for p in site.output.rglob("*") if p.is_file()}
    assert "feed.xml" in files or not (REPO_ROOT / "templates/feed.xml").exists()
    warned = [line for line in result.stderr.splitlines() if "link removed" in line]
    article_path = "content/articles/2011-02-17-talks.md"
    assert sorted(set(locations("\n".join(warned)))) == [
        f"{article_path}:16", f"{article_path}:17", f"{article_path}:18", f"{article_path}:20"]


def test_raw_html_is_allowed_only_when_site_yaml_says_so(make_site):
    site = make_site({"content/articles/2011-03-01-raw.md":
                      "---\ntitle: Raw\ndate: 2011-03-01\n---\nA <abbr title=\"x\">DPJ</abbr> "
                      "table.\n\n<figure><figcaption>Fig</figcaption></figure>\n"})
    site.build()
    assert site.page("articles/raw/").select_one(".body abbr") is None
    site.write("site.yaml", "title: T\nbase_url: https://example.org/\nmarkdown: {raw_html: true}\n")
    site.build()
    body = site.page("articles/raw/").select_one(".body")
    assert body.abbr["title"] == "x"
    assert body.figure.figcaption.get_text() == "Fig"


def test_raw_html_opt_in_still_refuses_script_links(make_site):
    """Opting in trusts the authors' HTML, but Markdown links are still checked."""
    site = make_site({
        "site.yaml": "title: T\nbase_url: https://example.org/\nmarkdown: {raw_html: true}\n",
        "content/articles/2011-03-01-raw.md": "---\ntitle: Raw\ndate: 2011-03-01\n---\n"
                                              "[x](javascript:alert(1))\n"})
    result = site.build()
    assert locations(result.stderr) == ["content/articles/2011-03-01-raw.md:5"]
    assert site.page("articles/raw/").select_one(".body a") is None


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)",
                                 "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
                                 "//evil.example/", "ftp://example.org/"])
@pytest.mark.parametrize("field", ["source_url", "website"])
def test_url_fields_refuse_anything_but_web_addresses(make_site, url, field):
    path = ("content/articles/2011-03-01-u.md" if field == "source_url" else "content/actors/u.md")
    front = ("title: U\ndate: 2011-03-01\nsource: S\n" if field == "source_url" else "name: U\n")
    site = make_site({path: f"---\n{front}{field}: {json.dumps(url)}\n---\n"})
    result = site.build()
    line = front.count("\n") + 2
    assert locations(result.stderr) == [f"{path}:{line}"]
    assert "warning" in result.stderr
    page = site.page("articles/u/" if field == "source_url" else "actors/u/")
    assert not any(url.strip() in a.get("href", "") for a in page.find_all("a"))
    assert not re.search(r"javascript|vbscript|data:text", str(page), re.IGNORECASE)


@pytest.mark.parametrize(("written", "href"), [
    ('https://example.org/?q="><b>', "https://example.org/?q=%22%3E%3Cb%3E"),
    ("https://bücher.de/ä ö?x=1#f g", "https://xn--bcher-kva.de/%C3%A4%20%C3%B6?x=1#f%20g"),
    ("https://example.org/100%25/50%", "https://example.org/100%25/50%25"),
    ("https://example.org/a[1]{2}|^`", "https://example.org/a%5B1%5D%7B2%7D%7C%5E%60"),
])
def test_addresses_in_url_fields_are_encoded_into_valid_hrefs(make_site, written, href):
    site = make_site({"content/actors/u.md": f"---\nname: U\nwebsite: {json.dumps(written)}\n---\n"})
    site.build()
    assert site.page("actors/u/").find("a", href=href) is not None
