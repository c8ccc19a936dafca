"""Timeline, archives, search index, feeds, sitemap, structured data and exports, parsed for real."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from tests.searchutil import SearchIndex, titles
from tests.siteutil import SiteFixture, broken_links, parse_html

BASE_URL = "https://user.github.io/archive/"
BASE_PATH = "/archive/"
INJECTION = "</script><script>alert(1)</script> & <b>bold</b>"

SITE: dict[str, str] = {
    "site.yaml": f"""\
        title: Finding Test
        description: Ways into an archive
        base_url: {BASE_URL}
        author: Test Desk
        timezone: Asia/Seoul
        pagination:
          per_page: 2
          feed_items: 3
        """,
    "content/articles/2010-11-24-shelling.md": """\
        ---
        title: "Island shelled"
        date: 2010-11-24
        byline: Reporter One
        source: The Korea Herald
        countries: [south-korea, north-korea]
        events: [yeonpyeong-shelling]
        ---
        Artillery struck the island. [Kim Sung-hwan](actor:kim-sung-hwan) spoke later.
        """,
    "content/articles/2011-02-09-military-talks.md": """\
        ---
        title: "Military talks break down"
        date: 2011-02-09
        countries: [south-korea, north-korea]
        ---
        The colonels walked out of the meeting at Panmunjom.
        """,
    "content/articles/2011-02-17-ministers.md": """\
        ---
        title: "Seoul, Tokyo bolster cooperation"
        date: 2011-02-17
        byline: Shin Hae-in
        source: The Korea Herald
        summary: "Ministers agree on conditions for talks."
        actors: [kim-sung-hwan, seiji-maehara]
        countries: [south-korea, japan]
        events: [ministers-talks]
        quotes:
          - by: kim-sung-hwan
            text: "create the necessary terms"
        ---
        The foreign ministers met in Kyoto. Uranium enrichment was discussed with
        [North Korea](country:north-korea) in mind, and the [Cheonan](event:cheonan-sinking).
        """,
    "content/articles/2011-04-02-injection.md": f"""\
        ---
        title: '{INJECTION}'
        date: 2011-04-02
        summary: 'Summary with {INJECTION}'
        actors: [mika-makinen]
        ---
        A body about Zürich and Mäkinen.
        """,
    "content/actors/kim-sung-hwan.md": """\
        ---
        name: Kim Sung-hwan
        type: person
        country: south-korea
        wikidata: Q484511
        ---
        Foreign minister.
        """,
    "content/actors/seiji-maehara.md": """\
        ---
        name: Seiji Maehara
        aliases: [Maehara Seiji]
        type: person
        country: japan
        ---
        Japan's foreign minister.
        """,
    "content/actors/mika-makinen.md": """\
        ---
        name: Mika Mäkinen
        type: organisation
        ---
        """,
    "content/countries/south-korea.md": "---\nname: South Korea\nwikidata: Q884\n---\n",
    "content/countries/north-korea.md": "---\nname: North Korea\n---\n",
    "content/countries/japan.md": "---\nname: Japan\n---\n",
    "content/events/cheonan-sinking.md": """\
        ---
        name: Sinking of the Cheonan
        date: 2010-03-26
        countries: [south-korea, north-korea]
        ---
        """,
    "content/events/yeonpyeong-shelling.md": """\
        ---
        name: Yeonpyeong shelling
        date: 2010-11-23
        countries: [south-korea, north-korea]
        ---
        """,
    "content/events/ministers-talks.md": """\
        ---
        name: Ministers' talks
        date: 2011-02-16
        countries: [south-korea, japan]
        ---
        """,
    "content/events/colonial-rule.md": """\
        ---
        name: Colonial rule
        start: 1910-08-29
        end: 1945-08-15
        countries: [south-korea, japan]
        ---
        """,
    "content/events/abductions.md": """\
        ---
        name: Abductions
        countries: [japan, north-korea]
        ---
        """,
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> SiteFixture:
    """The fixture site, built once for the module (tests only read it)."""
    from tests.conftest import write_files

    root = tmp_path_factory.mktemp("finding") / "site"
    write_files(root, SITE)
    site = SiteFixture(root)
    site.build()
    return site


def read(site: SiteFixture, path: str) -> str:
    return (site.output / path).read_text(encoding="utf-8")


def json_ld(site: SiteFixture, page: str) -> list[dict]:
    soup = site.page(page)
    return [json.loads(tag.string) for tag in soup.find_all("script", type="application/ld+json")]


# --- links ---------------------------------------------------------------


def test_every_internal_link_resolves_under_the_base_path(built: SiteFixture) -> None:
    assert broken_links(built.output, BASE_PATH) == []


def test_nav_links_to_timeline_archive_and_search(built: SiteFixture) -> None:
    nav = {a.get_text(strip=True): a["href"] for a in built.page("").select(".site-nav a")}
    assert nav["Timeline"] == f"{BASE_PATH}timeline/"
    assert nav["Archive"] == f"{BASE_PATH}archive/"
    assert nav["Search"] == f"{BASE_PATH}search/"


# --- timeline ------------------------------------------------------------


def test_timeline_lists_events_and_articles_in_date_order_by_year(built: SiteFixture) -> None:
    soup = built.page("timeline/")
    years = [section["id"] for section in soup.select("section.timeline-year")]
    assert years == ["y1910", "y2010", "y2011"]
    assert [a["href"] for a in soup.select(".year-nav a")][:3] == ["#y1910", "#y2010", "#y2011"]
    dates = [li.find("time")["datetime"] for li in soup.select(".timeline > li")]
    assert len(dates) == 8 and dates == sorted(dates)
    titles_2010 = [title.get_text(strip=True) for title in soup.select("#y2010 .timeline-title")]
    assert titles_2010 == ["Sinking of the Cheonan", "Yeonpyeong shelling", "Island shelled"]
    shelling = soup.find("a", string="Yeonpyeong shelling").find_parent("li")
    assert [a["href"] for a in shelling.select(".timeline-articles a")] == [
        f"{BASE_PATH}articles/shelling/"]
    colonial = soup.find("a", string="Colonial rule").find_parent("li")
    assert [t["datetime"] for t in colonial.select("time")] == ["1910-08-29", "1945-08-15"]
    undated = [a.get_text() for a in soup.select("#undated a")]
    assert undated == ["Abductions"]
    assert len(soup.select(".timeline-article")) == 4


def test_event_page_shows_earlier_and_later_events_sharing_countries(built: SiteFixture) -> None:
    place = built.page("events/yeonpyeong-shelling/").select_one(".timeline-place")
    sections = {h3.get_text(): h3.find_next("ol") for h3 in place.find_all("h3")}
    earlier = [a.get_text() for a in sections["Earlier"].select("li > a:first-child")]
    later = [a.get_text() for a in sections["Later"].select("li > a:first-child")]
    assert earlier == ["Sinking of the Cheonan", "Colonial rule"]  # nearest first
    assert later == ["Ministers' talks"]
    assert "South Korea" in sections["Later"].select_one(".shared").get_text()
    undated = built.page("events/abductions/")
    assert undated.select_one(".timeline-place") is None


# --- archives ------------------------------------------------------------


def test_archive_counts_years_and_months(built: SiteFixture) -> None:
    soup = built.page("archive/")
    years = {li.h2.a.get_text(): li.h2.select_one(".count").get_text()
             for li in soup.select(".archive-years > li")}
    assert years == {"2011": "3", "2010": "1"}
    months = [(a.get_text(), a.find_next_sibling("span").get_text())
              for a in soup.select(".archive-months a")]
    assert months == [("February 2011", "2"), ("April 2011", "1"), ("November 2010", "1")]


def test_archive_periods_link_to_previous_and_next(built: SiteFixture) -> None:
    november = built.page("archive/2010/11/")
    assert november.select_one("a[rel=prev]") is None
    assert november.select_one("a[rel=next]")["href"] == f"{BASE_PATH}archive/2011/02/"
    february = built.page("archive/2011/02/")
    assert february.select_one("a[rel=prev]")["href"] == f"{BASE_PATH}archive/2010/11/"
    assert february.select_one("a[rel=next]")["href"] == f"{BASE_PATH}archive/2011/04/"
    assert [a.get_text() for a in february.select(".article-item-title a")] == [
        "Military talks break down", "Seoul, Tokyo bolster cooperation"]
    year = built.page("archive/2011/")
    assert year.select_one("a[rel=prev]")["href"] == f"{BASE_PATH}archive/2010/"
    assert year.select_one("a[rel=next]") is None
    assert [a.get_text() for a in year.select(".article-list a")] == [
        "Military talks break down", "Seoul, Tokyo bolster cooperation", INJECTION]


# --- feeds ---------------------------------------------------------------


def test_site_feed_is_valid_atom_with_absolute_links_and_capped_entries(built: SiteFixture) -> None:
    feed = feedparser.parse(read(built, "feed.xml"))
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == 3  # pagination.feed_items
    newest = feed.entries[0]
    assert newest.link == f"{BASE_URL}articles/injection/"
    assert newest.id == newest.link
    assert newest.title == INJECTION
    assert newest.updated.startswith("2011-04-02T00:00:00+09:00")
    assert feed.feed.updated == newest.updated
    for entry in feed.entries:
        assert entry.link.startswith(BASE_URL)
    ministers = next(e for e in feed.entries if e.title.startswith("Seoul"))
    assert ministers.summary == "Ministers agree on conditions for talks."
    assert "Kyoto" not in read(built, "feed.xml")  # summaries, not bodies
    assert feed.feed.links[0].href.startswith(BASE_URL)


def test_every_entity_has_a_feed_and_pages_announce_theirs(built: SiteFixture) -> None:
    feed = feedparser.parse(read(built, "countries/north-korea/feed.xml"))
    assert not feed.bozo
    assert [e.title for e in feed.entries] == [
        "Seoul, Tokyo bolster cooperation", "Military talks break down", "Island shelled"]
    assert feedparser.parse(read(built, "events/abductions/feed.xml")).entries == []
    page = built.page("countries/north-korea/")
    feeds = [link["href"] for link in page.find_all("link", rel="alternate")]
    assert f"{BASE_PATH}countries/north-korea/feed.xml" in feeds
    assert f"{BASE_PATH}feed.xml" in feeds
    assert (built.output / "countries/north-korea/feed.xml").is_file()


def test_outputs_are_identical_from_build_to_build(built: SiteFixture, tmp_path: Path) -> None:
    again = tmp_path / "again"
    built.build("--output", str(again))
    for path in ("feed.xml", "sitemap.xml", "data/graph.json", "data/annotations.csv",
                 "search/manifest.json", "actors/kim-sung-hwan/feed.xml"):
        assert (again / path).read_bytes() == (built.output / path).read_bytes(), path


# --- sitemap and robots --------------------------------------------------


def test_sitemap_lists_every_page_with_lastmod(built: SiteFixture) -> None:
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.fromstring(read(built, "sitemap.xml"))
    entries = {u.findtext("s:loc", namespaces=namespace): u.findtext("s:lastmod", namespaces=namespace)
               for u in root.findall("s:url", namespace)}
    pages = {p.relative_to(built.output).as_posix() for p in built.output.rglob("index.html")}
    expected = {BASE_URL + page.removesuffix("index.html") for page in pages}
    assert set(entries) == expected
    assert entries[f"{BASE_URL}articles/ministers/"] == "2011-02-17"
    assert entries[f"{BASE_URL}countries/north-korea/"] == "2011-02-17"
    assert entries[f"{BASE_URL}archive/2010/"] == "2010-11-24"
    assert all(len(value) == 10 for value in entries.values())
    robots = read(built, "robots.txt")
    assert f"Sitemap: {BASE_URL}sitemap.xml" in robots.splitlines()


# --- structured data and head meta ---------------------------------------


def test_article_json_ld_is_a_news_article_with_about_and_mentions(built: SiteFixture) -> None:
    (data,) = json_ld(built, "articles/ministers/")
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Seoul, Tokyo bolster cooperation"
    assert data["datePublished"] == "2011-02-17T00:00:00+09:00"
    assert data["author"] == {"@type": "Person", "name": "Shin Hae-in"}
    assert data["publisher"]["name"] == "The Korea Herald"
    about = {item["name"]: item for item in data["about"]}
    assert set(about) == {"Kim Sung-hwan", "Seiji Maehara", "South Korea", "Japan", "Ministers' talks"}
    assert about["Kim Sung-hwan"]["@type"] == "Person"
    assert about["Kim Sung-hwan"]["sameAs"] == "https://www.wikidata.org/wiki/Q484511"
    assert about["Japan"]["@type"] == "Country"
    assert about["Ministers' talks"]["@type"] == "Event"
    assert about["Ministers' talks"]["url"] == f"{BASE_URL}events/ministers-talks/"
    mentions = {item["name"]: item["@type"] for item in data["mentions"]}
    assert mentions == {"North Korea": "Country", "Sinking of the Cheonan": "Event"}


def test_content_cannot_close_the_json_ld_script(built: SiteFixture) -> None:
    html = read(built, "articles/injection/index.html")
    soup = parse_html(html)
    scripts = soup.find_all("script")
    assert [s.get("type") for s in scripts] == ["application/ld+json"]
    assert "alert(1)</script>" not in html.split("</head>")[0].replace("&lt;", "<")
    (data,) = json_ld(built, "articles/injection/")
    assert data["headline"] == INJECTION
    assert data["about"] == [{"@type": "Organization", "name": "Mika Mäkinen",
                              "url": f"{BASE_URL}actors/mika-makinen/"}]
    assert soup.h1.get_text() == INJECTION
    assert soup.find("meta", property="og:title")["content"] == INJECTION


def test_entity_json_ld_describes_the_entity(built: SiteFixture) -> None:
    (person,) = json_ld(built, "actors/seiji-maehara/")
    assert person["@type"] == "Person"
    assert person["name"] == "Seiji Maehara"
    assert person["alternateName"] == ["Maehara Seiji"]
    assert person["url"] == f"{BASE_URL}actors/seiji-maehara/"
    (event,) = json_ld(built, "events/colonial-rule/")
    assert (event["@type"], event["startDate"], event["endDate"]) == ("Event", "1910-08-29", "1945-08-15")
    (country,) = json_ld(built, "countries/south-korea/")
    assert (country["@type"], country["sameAs"]) == ("Country", "https://www.wikidata.org/wiki/Q884")
    (home,) = json_ld(built, "")
    assert home["@type"] == "WebSite" and home["url"] == BASE_URL


@pytest.mark.parametrize("page", ["", "articles/ministers/", "actors/kim-sung-hwan/", "timeline/",
                                  "archive/2011/", "search/", "countries/south-korea/page/2/"])
def test_pages_carry_canonical_open_graph_and_twitter_meta(built: SiteFixture, page: str) -> None:
    soup = built.page(page)
    canonical = soup.find("link", rel="canonical")["href"]
    assert canonical == BASE_URL + page
    assert soup.find("meta", property="og:url")["content"] == canonical
    assert soup.find("meta", property="og:title")["content"]
    assert soup.find("meta", attrs={"name": "twitter:card"})["content"] == "summary"
    kind = "article" if page.startswith("articles/") else "website"
    assert soup.find("meta", property="og:type")["content"] == kind


# --- data exports ----------------------------------------------------------


def test_graph_json_has_documented_shape(built: SiteFixture) -> None:
    graph = json.loads(read(built, "data/graph.json"))
    assert graph["version"] == 2
    assert graph["base_url"] == BASE_URL
    nodes = {node["id"]: node for node in graph["nodes"]}
    for node in graph["nodes"]:
        assert set(node) >= {"id", "type", "kind", "name", "date"}
        page = built.output / node["id"] / "index.html"  # its address: base_url + id + "/"
        assert page.is_file(), node
    assert nodes["articles/ministers"] == {
        "id": "articles/ministers", "type": "article", "kind": "articles",
        "name": "Seoul, Tokyo bolster cooperation", "date": "2011-02-17"}
    assert nodes["events/colonial-rule"]["date"] == "1910-08-29"
    assert nodes["actors/kim-sung-hwan"]["wikidata"] == "Q484511"
    for edge in graph["edges"]:
        assert edge["source"] in nodes and edge["target"] in nodes, edge
        assert edge["type"] in ("mentions", "relation", "co-mention")
        if edge["type"] == "co-mention":
            assert isinstance(edge["weight"], int) and edge["weight"] >= 1
        else:  # an unweighted edge, weight 1 to graph libraries
            assert "weight" not in edge
    mentions = {(e["source"], e["target"]): e["origin"] for e in graph["edges"] if e["type"] == "mentions"}
    assert mentions[("articles/ministers", "countries/north-korea")] == "inline"
    assert mentions[("articles/ministers", "actors/seiji-maehara")] == "front matter"
    relations = {(e["source"], e["target"]) for e in graph["edges"] if e["type"] == "relation"}
    assert ("actors/seiji-maehara", "countries/japan") in relations
    co = {(e["source"], e["target"]): e["weight"] for e in graph["edges"] if e["type"] == "co-mention"}
    assert co[("countries/north-korea", "countries/south-korea")] == 3


def test_annotations_csv_has_one_row_per_reference_with_its_origin(built: SiteFixture) -> None:
    rows = list(csv.DictReader(read(built, "data/annotations.csv").splitlines()))
    assert list(rows[0]) == ["article", "article_date", "kind", "entity", "entity_name",
                             "origin", "field", "line", "source_path"]
    ministers = {(r["kind"], r["entity"]): r for r in rows if r["article"] == "ministers"}
    assert len(ministers) == 7
    assert ministers[("countries", "north-korea")]["origin"] == "inline"
    assert ministers[("events", "cheonan-sinking")]["origin"] == "inline"
    assert ministers[("actors", "seiji-maehara")]["origin"] == "front matter"
    assert ministers[("actors", "seiji-maehara")]["field"] == "actors"
    source = ministers[("countries", "north-korea")]["source_path"]
    assert source == "content/articles/2011-02-17-ministers.md"
    graph = json.loads(read(built, "data/graph.json"))
    assert len(rows) == sum(1 for e in graph["edges"] if e["type"] == "mentions")


# --- search --------------------------------------------------------------


@pytest.fixture(scope="module")
def index(built: SiteFixture) -> SearchIndex:
    return SearchIndex(built.output / "search")


def test_search_finds_a_name_its_entity_and_its_articles(index: SearchIndex) -> None:
    results = index.search("Maehara")
    assert titles(results, "actors") == ["Seiji Maehara"]
    assert titles(results, "articles") == ["Seoul, Tokyo bolster cooperation"]
    assert results["actors"][0][1] == f"{BASE_PATH}actors/seiji-maehara/"


def test_search_finds_words_in_title_summary_and_body(index: SearchIndex) -> None:
    assert titles(index.search("colonels Panmunjom"), "articles") == ["Military talks break down"]
    assert titles(index.search("conditions"), "articles") == ["Seoul, Tokyo bolster cooperation"]
    assert titles(index.search("island"), "articles") == ["Island shelled"]
    assert index.search("colonels Kyoto") == {}  # every word must match


def test_search_ranks_title_matches_first_and_matches_word_starts(index: SearchIndex) -> None:
    results = index.search("talk")  # 'talks' in a title and a body
    assert titles(results, "articles")[0] == "Military talks break down"
    assert titles(results, "events") == ["Ministers' talks"]


def test_search_folds_case_and_accents_and_finds_aliases(index: SearchIndex) -> None:
    assert titles(index.search("makinen"), "actors") == ["Mika Mäkinen"]
    assert titles(index.search("MÄKINEN"), "articles") == [INJECTION]
    assert titles(index.search("zurich"), "articles") == [INJECTION]
    assert titles(index.search("Seiji"), "actors") == ["Seiji Maehara"]
    assert titles(index.search("korea"), "countries") == ["North Korea", "South Korea"]


def test_search_loads_only_the_shards_of_the_query(index: SearchIndex) -> None:
    index.fetched.clear()
    index.search("colonels")
    shards = [name for name in index.fetched if name.startswith("terms/")]
    assert shards == ["terms/co.json"]


def test_search_index_keeps_markup_as_plain_text(index: SearchIndex) -> None:
    doc = index.search("zurich")["articles"][0]
    assert doc[2] == INJECTION  # a string for textContent, never pre-escaped or parsed HTML
    assert doc[4].startswith("Summary with </script>")


def test_search_page_says_how_to_browse_without_javascript(built: SiteFixture) -> None:
    soup = built.page("search/")
    fallback = soup.find("noscript")
    links = {a["href"] for a in parse_html(fallback.decode_contents()).find_all("a")}
    assert {f"{BASE_PATH}timeline/", f"{BASE_PATH}archive/", f"{BASE_PATH}actors/"} <= links
    form = soup.select_one("form.search-form")
    assert form["data-index"] == f"{BASE_PATH}search/"
    assert soup.find("script", src=f"{BASE_PATH}static/search.js")


def test_search_script_never_inserts_html() -> None:
    script = (Path(__file__).resolve().parent.parent / "static" / "search.js").read_text()
    for unsafe in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert unsafe not in script


def test_exports_quote_commas_quotes_and_markup(make_site) -> None:  # type: ignore[no-untyped-def]
    name = 'Smith, "J." <Jr> & Söhne'
    site = make_site({"content/actors/kim-sung-hwan.md": f"---\nname: '{name}'\n---\n"})
    site.build()
    rows = list(csv.DictReader((site.output / "data/annotations.csv").read_text(encoding="utf-8")
                               .splitlines()))
    assert {row["entity_name"] for row in rows if row["entity"] == "kim-sung-hwan"} == {name}
    assert all(len(row) == 9 and None not in row for row in rows)
    text = (site.output / "data/graph.json").read_text(encoding="utf-8")
    assert "<" not in text and "&" not in text and "Söhne" in text  # UTF-8, markup as \u escapes
    nodes = {node["id"]: node for node in json.loads(text)["nodes"]}
    assert nodes["actors/kim-sung-hwan"]["name"] == name


def test_entity_feeds_carry_the_latest_ten_articles(make_site) -> None:  # type: ignore[no-untyped-def]
    files = {f"content/articles/2011-03-{day:02d}-talks-{day}.md":
             f"---\ntitle: Talks {day}\ndate: 2011-03-{day:02d}\nsummary: Day {day}.\n"
             f"countries: [japan]\n---\nBody.\n" for day in range(1, 13)}
    newest_file = "content/articles/2011-03-12-talks-12.md"
    files[newest_file] = files[newest_file].replace("\ndate: 2011-03-12\n", "\ndate: 2011-03-12\n"
                                                    "updated: 2011-03-20\n")
    site = make_site(files, name="many")
    site.build()
    japan = feedparser.parse((site.output / "countries/japan/feed.xml").read_bytes())
    assert not japan.bozo
    assert [e.title for e in japan.entries] == [f"Talks {day}" for day in range(12, 2, -1)]
    newest, other = japan.entries[0], japan.entries[1]
    assert newest.link == "https://example.org/articles/talks-12/"
    assert newest.summary == "Day 12."
    assert (newest.published[:10], newest.updated[:10]) == ("2011-03-12", "2011-03-20")
    assert "published" not in other and other.updated.startswith("2011-03-11")  # the same date, once
    assert len(feedparser.parse((site.output / "feed.xml").read_bytes()).entries) == 13  # feed_items: 20


def test_search_follows_an_edited_body_when_other_records_come_from_the_cache(make_site) -> None:  # type: ignore[no-untyped-def]
    """Body words are found once, when a file is parsed, and cached with its record."""
    site = make_site({}, name="edited-words")
    site.build()
    article = site.root / "content/articles/2011-02-17-talks.md"
    before = SearchIndex(site.output / "search")
    assert titles(before.search("counterpart"), "articles") == ["Seoul, Tokyo talk"]
    assert before.search("zanzibarite") == {}
    article.write_text(article.read_text(encoding="utf-8") + "\nA zanzibarite footnote.\n", encoding="utf-8")
    site.build()
    after = SearchIndex(site.output / "search")
    assert titles(after.search("zanzibarite"), "articles") == ["Seoul, Tokyo talk"]
    assert titles(after.search("Kim"), "actors") == ["Kim Sung-hwan"]


def test_an_archive_with_no_articles_still_has_every_way_in(make_site) -> None:  # type: ignore[no-untyped-def]
    site = make_site({"content/articles/2011-02-17-talks.md": None}, name="empty")
    site.build("--base-url", BASE_URL)
    feed = feedparser.parse((site.output / "feed.xml").read_bytes())
    assert not feed.bozo and feed.entries == []
    assert feed.feed.updated.startswith("1970-01-01")
    assert "No articles yet" in site.page("archive/").get_text()
    assert SearchIndex(site.output / "search").search("japan")["countries"][0][2] == "Japan"
    ET.fromstring((site.output / "sitemap.xml").read_bytes())
    assert json.loads((site.output / "data/graph.json").read_text())["nodes"]
    assert broken_links(site.output, BASE_PATH) == []


def test_a_new_kind_gets_feeds_search_and_structured_data(make_site) -> None:  # type: ignore[no-untyped-def]
    site = make_site({
        "site.yaml": "title: T\nbase_url: https://example.org/\nkinds:\n  actors: {}\n  countries: {}\n"
                     "  events: {}\n  organisations: {singular: organisation, title: Organisations}\n",
        "content/organisations/asean.md": "---\nname: ASEAN\n"
                                          "aliases: [Association of Southeast Asian Nations]\n"
                                          "type: organisation\n---\n",
        "content/articles/2011-03-01-summit.md": "---\ntitle: Summit\ndate: 2011-03-01\n"
                                                 "organisations: [asean]\n---\nLeaders met.\n",
    }, name="kinds")
    site.build()
    results = SearchIndex(site.output / "search").search("southeast")
    assert titles(results, "organisations") == ["ASEAN"]
    assert titles(results, "articles") == ["Summit"]
    feed = feedparser.parse((site.output / "organisations/asean/feed.xml").read_bytes())
    assert [e.title for e in feed.entries] == ["Summit"]
    (data,) = [json.loads(s.string) for s in site.page("articles/summit/").find_all(
        "script", type="application/ld+json")]
    assert data["about"][0]["@type"] == "Organization"
    assert broken_links(site.output) == []
