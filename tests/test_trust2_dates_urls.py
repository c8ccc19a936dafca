"""Issue 13, items 4, 5, 7 and part of 8: timestamps valid RFC 3339 in every century, DST gaps
resolved one way in text and order, base_url without secrets and percent-encoded everywhere,
look-alike names flagged by `check`, and bidirectional controls kept inside their field."""

from __future__ import annotations

import json
import re
from datetime import datetime

import feedparser

from builder.preview import Preview
from tests.siteutil import parse_html
from tests.trustutil import locations

# RFC 3339 section 5.6 date-time, strictly: a whole-minute offset (no seconds) or Z.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
DATE_OR_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}$|" + RFC3339.pattern[1:])


def _article(slug: str, date: str, title: str = "") -> dict[str, str]:
    return {f"content/articles/{slug}.md":
            f"---\ntitle: \"{title or slug}\"\ndate: {date}\nactors: [kim-sung-hwan]\n---\nText.\n"}


def _every_timestamp(site) -> list[str]:
    """Every timestamp the site writes: <time datetime>, meta times, JSON-LD dates, feeds, sitemap."""
    found: list[str] = []
    for path in sorted(site.output.rglob("*")):
        if path.suffix == ".html":
            soup = parse_html(path.read_text(encoding="utf-8"))
            found += [t["datetime"] for t in soup.find_all("time")]
            found += [m["content"] for m in soup.find_all("meta", property=re.compile("_time$"))]
            for script in soup.find_all("script", type="application/ld+json"):
                data = json.loads(script.string)
                found += [data[k] for k in ("datePublished", "dateModified", "startDate", "endDate")
                          if k in data]
        elif path.name == "feed.xml" or path.name == "sitemap.xml":
            text = path.read_text(encoding="utf-8")
            found += re.findall(r"<(?:updated|published|lastmod)>([^<]*)<", text)
    return found


def test_dates_before_standard_time_are_valid_rfc3339_everywhere(make_site):
    """Asia/Seoul in 1905 was +08:27:52 (local mean time): the offset is rounded to +08:28."""
    site = make_site({"site.yaml": "title: T\nbase_url: https://example.org/\ntimezone: Asia/Seoul\n",
                      **_article("1905-11-17-treaty", "1905-11-17"),
                      **_article("1905-11-18-after", "1905-11-18T09:15")})
    site.build()
    stamps = _every_timestamp(site)
    assert stamps and all(DATE_OR_RFC3339.match(s) for s in stamps), stamps
    feed = feedparser.parse(str(site.output / "feed.xml"))
    assert not feed.bozo
    updated = [e.updated for e in feed.entries]
    assert updated[1:] == ["1905-11-18T09:15:00+08:28", "1905-11-17T00:00:00+08:28"]
    article = site.page("articles/treaty/")
    assert article.find("time")["datetime"] == "1905-11-17"  # the date as written, in page text too
    assert "17 November 1905" in article.find("time").get_text()


def test_a_time_in_a_dst_gap_is_the_instant_it_names_in_text_and_order(make_site):
    """02:30 does not exist on 13 March 2011 in New York: it is read as 03:30 EDT (-04:00), and the
    feed orders it by that instant, after 03:10 EDT and before 03:45 EDT."""
    site = make_site({"site.yaml": "title: T\nbase_url: https://example.org/\n"
                                   "timezone: America/New_York\n",
                      **_article("2011-03-13-gap", "2011-03-13T02:30"),
                      **_article("2011-03-13-before", "2011-03-13T03:10"),
                      **_article("2011-03-13-after", "2011-03-13T03:45"),
                      **_article("2011-11-06-fold", "2011-11-06T01:30")})
    site.build()
    feed = feedparser.parse(str(site.output / "feed.xml"))
    entries = [(e.link.rstrip("/").rsplit("/", 1)[1], e.updated) for e in feed.entries]
    assert entries[:4] == [("fold", "2011-11-06T01:30:00-04:00"),  # the first of the two 01:30s
                       ("after", "2011-03-13T03:45:00-04:00"),
                       ("gap", "2011-03-13T03:30:00-04:00"),
                       ("before", "2011-03-13T03:10:00-04:00")]
    instants = [datetime.fromisoformat(stamp) for _, stamp in entries]  # 2011-02-17 last
    assert instants == sorted(instants, reverse=True)  # the feed agrees with its own timestamps
    gap = site.page("articles/gap/")
    assert gap.find("time")["datetime"] == "2011-03-13T03:30:00-04:00"
    data = json.loads(gap.find("script", type="application/ld+json").string)
    assert data["datePublished"] == "2011-03-13T03:30:00-04:00"


def test_base_url_with_credentials_is_a_config_error_at_its_line(make_site):
    site = make_site({"site.yaml": "title: T\nlanguage: en\nbase_url: https://editor:s3cret@example.org/\n"})
    result = site.run("build")
    assert result.exit_code == 1
    assert locations(result.stderr) == ["site.yaml:3"]
    assert "password" in result.stderr and "s3cret" not in result.stderr
    assert not site.output.exists()
    result = site.run("build", "--base-url", "https://editor@example.org/")
    assert result.exit_code == 1 and "--base-url" in result.stderr


def test_a_space_in_base_url_is_percent_encoded_everywhere(make_site, tmp_path):
    site = make_site({"site.yaml": "title: T\nbase_url: https://example.org/news archive/\n"})
    site.build()
    base = "https://example.org/news%20archive/"
    article = site.page("articles/talks/")
    assert article.find("link", rel="canonical")["href"] == base + "articles/talks/"
    assert article.find("a", href=re.compile("kim-sung-hwan"))["href"] == \
        "/news%20archive/actors/kim-sung-hwan/"
    data = json.loads(article.find("script", type="application/ld+json").string)
    assert data["url"] == base + "articles/talks/"
    sitemap = (site.output / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]*)</loc>", sitemap)
    assert locs and all(loc.startswith(base) for loc in locs)
    feed = feedparser.parse(str(site.output / "feed.xml"))
    assert feed.feed.id == base + "feed.xml" and feed.entries[0].id == base + "articles/talks/"
    robots = (site.output / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {base}sitemap.xml" in robots
    preview = Preview(site.root, tmp_path / "preview", "http://127.0.0.1:8123")
    assert preview.rebuild(()).ok
    assert preview.respond("/news%20archive/articles/talks/").status == 200
    assert preview.respond("/").location == "/news%20archive/"
    every_url = locs + [feed.feed.id] + [e.id for e in feed.entries] + re.findall(r"https?://\S+", robots)
    assert not [url for url in every_url if " " in url]


def test_check_flags_names_that_differ_only_by_look_alike_letters(make_site):
    """'Kіm Sung-hwan' with a Cyrillic і (U+0456) is a second file for the same name; 'Kin
    Sung-hwan' (a real other letter) is not flagged."""
    site = make_site({"content/actors/kim-sung-hwan-2.md": "---\nname: K\u0456m Sung-hwan\n---\n",
                      "content/actors/kin-sung-hwan.md": "---\nname: Kin Sung-hwan\n---\n"})
    result = site.run("check")
    found = [line for line in result.stderr.splitlines() if "nearly collides" in line]
    assert locations("\n".join(found)) == ["content/actors/kim-sung-hwan-2.md:2",
                                           "content/actors/kim-sung-hwan.md:2"]
    assert "look-alike" in found[0]


def _visible_order(text: str) -> bool:
    """True if no bidirectional embedding, override or isolate is left open at the end of `text`."""
    depth = 0
    for char in text:
        if char in "\u202a\u202b\u202d\u202e\u2066\u2067\u2068":
            depth += 1
        elif char in "\u202c\u2069" and depth:
            depth -= 1
    return depth == 0


def test_an_unclosed_bidi_override_stays_inside_its_field(make_site):
    """An unclosed U+202E in a title is closed at the title's end: in <title>, the heading, the
    lists that show it and the feed, the text after the title reads as written."""
    title = "Talks \u202eend"
    site = make_site({**_article("2011-02-17-talks", "2011-02-17", title),
                      "content/actors/kim-sung-hwan.md": "---\nname: Kim \u202eSung\n---\n"})
    site.build()
    article = site.page("articles/talks/")
    assert article.title.string.startswith(title + "\u202c")
    assert _visible_order(article.title.string)
    assert _visible_order(article.h1.get_text())
    for page in ("", "actors/kim-sung-hwan/", "timeline/", "archive/"):
        for element in site.page(page).find_all(["li", "h1", "h2", "h3", "a", "title", "p"]):
            assert _visible_order(element.get_text()), (page, element)
    feed = feedparser.parse(str(site.output / "feed.xml"))
    assert feed.entries[0].title == title + "\u202c"
    entity_feed = feedparser.parse(str(site.output / "actors/kim-sung-hwan/feed.xml"))
    assert _visible_order(entity_feed.feed.title)
