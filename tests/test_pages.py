"""The core pages: what each shows, cross-links both ways, pagination, base paths."""

from __future__ import annotations

import re

from tests.siteutil import broken_links, internal_links

ARTICLES = {
    "content/articles/2011-02-17-talks.md": """\
        ---
        title: Seoul, Tokyo talk
        date: 2011-02-17
        byline: Shin Hae-in
        source: The Korea Herald
        actors: [kim-sung-hwan, seiji-maehara]
        countries: [south-korea, japan]
        events: [six-party-talks]
        quotes:
          - by: kim-sung-hwan
            text: create the necessary terms
        ---
        First paragraph about the talks.

        Second paragraph.
        """,
    "content/articles/2011-03-01-follow-up.md": """\
        ---
        title: Follow-up talks
        date: 2011-03-01
        actors: [kim-sung-hwan]
        countries: [south-korea]
        ---
        [Maehara](actor:seiji-maehara) spoke again.
        """,
    "content/articles/2010-11-23-shelling.md": """\
        ---
        title: Island shelled
        date: 2010-11-23
        countries: [south-korea, north-korea]
        ---
        Body.
        """,
    "content/actors/seiji-maehara.md": "---\nname: Seiji Maehara\naliases: [Maehara]\ncountry: japan\n---\n",
    "content/countries/north-korea.md": "---\nname: North Korea\n---\n",
    "content/events/six-party-talks.md": "---\nname: Six-party talks\nstart: 2003-08-27\n---\n",
}


def article_titles(soup) -> list[str]:
    return [a.get_text(strip=True) for a in soup.select(".article-list .article-item-title a")]


def test_entity_page_lists_exactly_its_articles_newest_first(make_site):
    site = make_site(ARTICLES)
    site.build()
    kim = site.page("actors/kim-sung-hwan/")
    assert article_titles(kim) == ["Follow-up talks", "Seoul, Tokyo talk"]
    korea = site.page("countries/south-korea/")
    assert article_titles(korea) == ["Follow-up talks", "Seoul, Tokyo talk", "Island shelled"]
    # Inline links count as references: Maehara is in the follow-up only through its body.
    assert article_titles(site.page("actors/seiji-maehara/")) == ["Follow-up talks", "Seoul, Tokyo talk"]
    assert article_titles(site.page("countries/north-korea/")) == ["Island shelled"]


def test_relations_appear_on_both_pages(make_site):
    site = make_site(ARTICLES)
    site.build()
    kim = site.page("actors/kim-sung-hwan/")
    aside = kim.select_one(".entity-aside")
    assert "/countries/south-korea/" in [a["href"] for a in aside.find_all("a")]
    korea_aside = site.page("countries/south-korea/").select_one(".entity-aside")
    related = {a.get_text(strip=True): a["href"] for a in korea_aside.find_all("a")}
    assert related["Kim Sung-hwan"] == "/actors/kim-sung-hwan/"
    japan_links = [a["href"] for a in site.page("countries/japan/").select(".entity-aside a")]
    assert "/actors/seiji-maehara/" in japan_links


def test_co_mentions_are_counted_per_shared_article(make_site):
    site = make_site(ARTICLES)
    site.build()
    panel = next(p for p in site.page("actors/kim-sung-hwan/").select(".panel")
                 if p.h2.get_text() == "Often mentioned with")
    counts = {li.a.get_text(strip=True): int(li.select_one(".count").get_text())
              for li in panel.find_all("li")}
    assert counts["South Korea"] == 2
    assert counts["Seiji Maehara"] == 2
    assert counts["Japan"] == 1
    assert counts["Six-party talks"] == 1
    assert "North Korea" not in counts
    assert list(counts.values()) == sorted(counts.values(), reverse=True)


def test_article_page_shows_entities_by_kind_quotes_and_related(make_site):
    site = make_site(ARTICLES)
    site.build()
    page = site.page("articles/talks/")
    assert page.h1.get_text(strip=True) == "Seoul, Tokyo talk"
    time = page.select_one(".article-header time")
    assert time["datetime"] == "2011-02-17"
    assert "Shin Hae-in" in page.select_one(".byline").get_text()
    panel = page.select_one(".article-aside .panel")
    headings = [h.get_text(strip=True) for h in panel.find_all("h3")]
    assert headings == ["Actors", "Countries", "Events"]
    quote = page.select_one(".quote")
    assert quote.blockquote.get_text(strip=True) == "create the necessary terms"
    assert quote.figcaption.a["href"] == "/actors/kim-sung-hwan/"
    related = [a.get_text(strip=True) for a in page.select(".related a")]
    # Follow-up shares Kim, Maehara and South Korea; the shelling shares only South Korea.
    assert related == ["Follow-up talks", "Island shelled"]


def test_quotes_show_on_the_speaker_page(make_site):
    site = make_site(ARTICLES)
    site.build()
    quotes = site.page("actors/kim-sung-hwan/").select(".quote blockquote")
    assert [q.get_text(strip=True) for q in quotes] == ["create the necessary terms"]


def test_summary_defaults_to_first_paragraph(make_site):
    site = make_site(ARTICLES)
    site.build()
    korea = site.page("countries/south-korea/")
    summaries = [p.get_text(strip=True) for p in korea.select(".summary")]
    assert "First paragraph about the talks." in summaries


def test_kind_index_is_alphabetical_with_counts(make_site):
    site = make_site(ARTICLES)
    site.build()
    rows = site.page("countries/").select(".entity-index li")
    names = [li.a.get_text(strip=True) for li in rows]
    assert names == ["Japan", "North Korea", "South Korea"]
    counts = [int(li.select_one(".count").get_text()) for li in rows]
    assert counts == [1, 1, 3]


def test_home_shows_latest_articles_and_busiest_entities(make_site):
    site = make_site(ARTICLES)
    site.build()
    home = site.page("")
    assert article_titles(home)[:3] == ["Follow-up talks", "Seoul, Tokyo talk", "Island shelled"]
    first_country = home.select_one(".busiest .panel:nth-of-type(2) li a")
    assert first_country.get_text(strip=True) == "South Korea"


def test_pagination_splits_an_entity_s_articles(make_site):
    files = {"site.yaml": "title: T\nbase_url: https://example.org/\npagination: {per_page: 2}\n"}
    for day in range(1, 6):
        files[f"content/articles/2012-01-0{day}-day-{day}.md"] = (
            f"---\ntitle: Day {day}\ndate: 2012-01-0{day}\ncountries: [japan]\n---\nText.\n")
    site = make_site(files, base={})
    site.build()
    first = site.page("countries/japan/")
    assert article_titles(first) == ["Day 5", "Day 4"]
    assert article_titles(site.page("countries/japan/page/2/")) == ["Day 3", "Day 2"]
    third = site.page("countries/japan/page/3/")
    assert article_titles(third) == ["Day 1"]
    assert first.select_one(".pager a[rel=next]")["href"] == "/countries/japan/page/2/"
    assert third.select_one(".pager a[rel=prev]")["href"] == "/countries/japan/page/2/"
    assert third.select_one(".pager a[rel=next]") is None
    assert not (site.output / "countries/japan/page/4").exists()
    assert broken_links(site.output) == []


def test_every_link_resolves_under_a_project_base_path(make_site):
    site = make_site(ARTICLES)
    site.build("--base-url", "https://user.github.io/archive/")
    assert broken_links(site.output, base_path="/archive/") == []
    links = internal_links(site.page("articles/talks/"))
    assert links and all(link.startswith("/archive/") for link in links)
    # The 404 page is served at any depth, so its links must not be relative.
    not_found = site.page("404.html")
    assert all(link.startswith("/archive/") for link in internal_links(not_found))


def test_a_new_kind_in_site_yaml_gets_its_pages(make_site):
    site = make_site({
        "site.yaml": """\
            title: T
            base_url: https://example.org/
            kinds:
              actors: {singular: actor, title: Actors}
              countries: {singular: country, title: Countries}
              organisations: {singular: organisation, title: Organisations}
            """,
        "content/organisations/united-nations.md": "---\nname: United Nations\ncountries: [japan]\n---\n",
        "content/articles/2011-02-17-talks.md": """\
            ---
            title: UN talks
            date: 2011-02-17
            organisations: [united-nations]
            ---
            The [UN](organisation:united-nations) met.
            """,
    })
    site.build()
    index = site.page("organisations/")
    assert [a.get_text(strip=True) for a in index.select(".entity-index a")] == ["United Nations"]
    assert article_titles(site.page("organisations/united-nations/")) == ["UN talks"]
    body_link = site.page("articles/talks/").select_one(".body a")
    assert body_link["href"] == "/organisations/united-nations/"
    nav = [a.get_text(strip=True) for a in site.page("").select(".site-nav a")]
    assert "Organisations" in nav
    assert broken_links(site.output) == []


def test_inline_entity_links_render_to_entity_pages(make_site):
    site = make_site(ARTICLES)
    site.build()
    link = site.page("articles/follow-up/").select_one(".body a")
    assert link["href"] == "/actors/seiji-maehara/"
    assert link.get_text() == "Maehara"


def test_stub_page_for_an_entity_without_a_file(make_site):
    site = make_site(ARTICLES)
    site.build()
    # kim-sung-hwan has a file in the base fixture; six-party-talks too; a missing one:
    site.write("content/articles/2011-04-01-x.md",
               "---\ntitle: X\ndate: 2011-04-01\nactors: [naoto-kan]\n---\nText.\n")
    result = site.build()
    assert "content/articles/2011-04-01-x.md:4: warning: no content/actors/naoto-kan.md" in result.stderr
    stub = site.page("actors/naoto-kan/")
    assert stub.h1.get_text(strip=True) == "Naoto Kan"
    assert stub.select_one(".notice") is not None
    assert article_titles(stub) == ["X"]


def test_page_whose_source_was_removed_disappears(make_site):
    site = make_site(ARTICLES)
    site.build()
    assert (site.output / "articles/shelling/index.html").is_file()
    (site.root / "content/articles/2010-11-23-shelling.md").unlink()
    site.build()
    assert not (site.output / "articles/shelling").exists()
    assert not (site.output / "countries/north-korea").exists() or \
        "Island shelled" not in (site.output / "countries/north-korea/index.html").read_text()


def test_site_templates_and_static_override_the_theme_file_by_file(make_site):
    site = make_site({
        "templates/article.html": '{% extends "base.html" %}{% block content %}'
                                  '<h1 class="mine">{{ article.title }}</h1>{% endblock %}',
        "static/style.css": "body { color: red; }",
        "static/extra.js": "// mine",
    })
    site.build()
    assert site.page("articles/talks/").select_one("h1.mine").get_text() == "Seoul, Tokyo talk"
    assert site.page("").select_one(".site-title") is not None  # other templates from the theme
    assert (site.output / "static/style.css").read_text() == "body { color: red; }"
    assert (site.output / "static/extra.js").is_file()


def test_dates_are_written_in_english_whatever_the_locale(make_site):
    site = make_site(ARTICLES)
    site.build()
    time = site.page("articles/talks/").select_one(".article-header time")
    assert re.fullmatch(r"17 February 2011", time.get_text(strip=True))
