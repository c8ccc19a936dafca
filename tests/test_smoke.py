from tests.siteutil import broken_links


def test_minimal_site_builds_with_no_broken_links(make_site):
    site = make_site()
    site.build()
    soup = site.page("articles/talks/")
    assert soup.h1.get_text(strip=True) == "Seoul, Tokyo talk"
    assert broken_links(site.output) == []
