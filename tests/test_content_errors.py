"""Reading content: YAML 1.2 meaning, required fields, located errors, strictness, atomic output."""

from __future__ import annotations

import hashlib

from tests.conftest import MINIMAL_SITE


def snapshot(folder) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_all_errors_of_a_run_are_reported_together_with_path_and_line(make_site):
    site = make_site({
        "content/articles/2011-01-01-bad-yaml.md": "---\ntitle: ok\ndate: 2011-01-01\nactors: [a, b\n---\n",
        "content/articles/2011-01-02-no-title.md": "---\ndate: 2011-01-02\n---\nBody\n",
        "content/articles/2011-01-03-bad-date.md": "---\ntitle: x\ndate: 2011-02-30\n---\n",
    })
    result = site.run("build")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert any(line.startswith("content/articles/2011-01-01-bad-yaml.md:5: invalid YAML") for line in lines)
    assert "content/articles/2011-01-02-no-title.md:1: 'title' is missing (add a 'title:' line" \
        in result.stderr
    assert any(line.startswith("content/articles/2011-01-03-bad-date.md:3: 'date: 2011-02-30'")
               for line in lines)
    assert "Traceback" not in result.stderr
    assert not site.output.exists()


def test_failed_build_leaves_previous_output_exactly_as_it_was(make_site):
    site = make_site()
    site.build()
    before = snapshot(site.output)
    site.write("content/articles/2011-02-17-talks.md", "---\ntitle: [unclosed\n---\n")
    site.write("content/articles/2011-02-18-new.md", "---\ntitle: New\ndate: 2011-02-18\n---\nNew.\n")
    result = site.run("build")
    assert result.exit_code == 1
    assert snapshot(site.output) == before
    leftovers = [p for p in site.root.rglob("*") if "tmp" in p.name]
    assert leftovers == []


def test_template_error_names_the_template_and_line_and_keeps_output(make_site):
    site = make_site()
    site.build()
    before = snapshot(site.output)
    site.write("templates/article.html", '{% extends "base.html" %}\n{% block content %}\n'
                                         "{{ article.titel }}\n{% endblock %}\n")
    result = site.run("build")
    assert result.exit_code == 1
    assert "templates/article.html:3:" in result.stderr
    assert "titel" in result.stderr
    assert snapshot(site.output) == before


MISSPELLED_REFERENCE = {"content/articles/2011-02-17-talks.md": """\
    ---
    title: Talks
    date: 2011-02-17
    actors: [kim-sung-hwn]
    ---
    Text.
    """}


def test_warnings_pass_but_strict_fails(make_site):
    site = make_site(MISSPELLED_REFERENCE)
    result = site.run("build")
    assert result.exit_code == 0
    assert ("content/articles/2011-02-17-talks.md:4: warning: no content/actors/kim-sung-hwn.md for "
            "'kim-sung-hwn'; a stub page is made (did you mean 'kim-sung-hwan'?)") in result.stderr
    strict = make_site(MISSPELLED_REFERENCE, name="strict").run("build", "--strict")
    assert strict.exit_code == 1
    assert "kim-sung-hwn" in strict.stderr


def test_yaml_1_2_meaning_keeps_norway_and_times_as_strings(make_site):
    site = make_site({
        "content/countries/no.md": "---\nname: NO\ncapital: Oslo\ncode: on\nopens: 12:30\n---\n",
        "content/articles/2011-02-17-talks.md": "---\ntitle: yes\ndate: 2011-02-17\ncountries: [no]\n---\n",
    })
    site.build()
    norway = site.page("countries/no/")
    assert norway.h1.get_text(strip=True) == "NO"
    facts = {dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(strip=True)
             for dt in norway.select(".facts dt")}
    assert facts["Code"] == "on"
    assert facts["Opens"] == "12:30"
    assert site.page("articles/talks/").h1.get_text(strip=True) == "yes"


def test_bom_and_crlf_files_read_like_any_other(make_site):
    text = "---\r\ntitle: Windows file\r\ndate: 2011-02-17\r\ncountries: [japan]\r\n---\r\nBody text.\r\n"
    site = make_site({"content/articles/2011-02-17-talks.md": b"\xef\xbb\xbf" + text.encode()})
    site.build()
    page = site.page("articles/talks/")
    assert page.h1.get_text(strip=True) == "Windows file"
    assert page.select_one(".body p").get_text() == "Body text."


def test_crlf_errors_count_lines_from_the_top(make_site):
    text = "---\r\ntitle: x\r\ndate: 2011-02-17\r\ntitle: again\r\n---\r\n"
    site = make_site({"content/articles/2011-02-17-talks.md": text.encode()})
    result = site.run("check")
    assert result.exit_code == 1
    assert "content/articles/2011-02-17-talks.md:4: the key 'title' is given twice" in result.stderr


def test_invalid_slug_is_an_error_naming_the_file(make_site):
    site = make_site({"content/actors/Kim_Sung.md": "---\nname: Kim\n---\n"})
    result = site.run("build")
    assert result.exit_code == 1
    assert "content/actors/Kim_Sung.md:1: 'Kim_Sung' is not a valid slug" in result.stderr
    assert "kim-sung.md" in result.stderr


def test_reference_that_is_not_a_slug_is_an_error(make_site):
    site = make_site({"content/articles/2011-02-17-talks.md":
                      "---\ntitle: x\ndate: 2011-02-17\nactors:\n  - ok-slug\n  - ../etc\n---\n"})
    result = site.run("build")
    assert result.exit_code == 1
    assert "content/articles/2011-02-17-talks.md:6: 'actors' has '../etc', which is not a slug" \
        in result.stderr


def test_two_files_with_the_same_slug_are_an_error_naming_both(make_site):
    site = make_site({
        "content/articles/2011-02-18-talks.md": "---\ntitle: Again\ndate: 2011-02-18\n---\n",
    })
    result = site.run("build")
    assert result.exit_code == 1
    assert "content/articles/2011-02-18-talks.md:1: writes the same page as " \
           "content/articles/2011-02-17-talks.md" in result.stderr


def test_unknown_link_scheme_warns_with_the_nearest_kind(make_site):
    site = make_site({"content/articles/2011-02-17-talks.md": """\
        ---
        title: Talks
        date: 2011-02-17
        ---
        Intro.

        Met [Kim](actr:kim-sung-hwan) and [x](javascript:alert(1)).
        """})
    result = site.build()
    assert "content/articles/2011-02-17-talks.md:7: warning: unknown link scheme 'actr:' " \
           "(did you mean 'actor'?)" in result.stderr
    assert "content/articles/2011-02-17-talks.md:7: warning: javascript: link removed" in result.stderr
    body = site.page("articles/talks/").select_one(".body")
    assert all("javascript" not in (a.get("href") or "") for a in body.find_all("a"))


def test_drafts_and_future_articles_are_left_out_and_said(make_site):
    site = make_site({
        "content/articles/2011-03-01-draft.md": "---\ntitle: Draft\ndate: 2011-03-01\ndraft: true\n---\n",
        "content/articles/2999-01-01-future.md": "---\ntitle: Future\ndate: 2999-01-01\n---\n",
    })
    result = site.build()
    assert "content/articles/2011-03-01-draft.md: left out: draft" in result.stderr
    assert "content/articles/2999-01-01-future.md: left out: dated in the future" in result.stderr
    assert not (site.output / "articles/draft").exists()
    site.build("--drafts", "--future")
    assert (site.output / "articles/draft/index.html").is_file()
    assert (site.output / "articles/future/index.html").is_file()


def test_draft_must_be_a_boolean_in_yaml_1_2(make_site):
    site = make_site({"content/articles/2011-03-01-draft.md":
                      "---\ntitle: Draft\ndate: 2011-03-01\ndraft: yes\n---\n"})
    result = site.run("build")
    assert result.exit_code == 1
    assert "content/articles/2011-03-01-draft.md:4: 'draft' must be true or false" in result.stderr


def test_near_miss_field_warns(make_site):
    site = make_site({"content/articles/2011-03-01-x.md":
                      "---\ntitle: X\ndate: 2011-03-01\nbylin: Someone\n---\n"})
    result = site.build()
    assert "content/articles/2011-03-01-x.md:4: warning: unknown field 'bylin' (did you mean 'byline'?)" \
        in result.stderr


def test_config_errors_name_the_key_and_line(make_site):
    site = make_site({"site.yaml": "title: T\nbase_url: example.org\npagination:\n  per_page: 0\ntitel: x\n"})
    result = site.run("build")
    assert result.exit_code == 1
    assert "site.yaml:2: base_url: 'example.org' is not an http(s) address" in result.stderr
    assert "site.yaml:4: pagination.per_page: must be a whole number of at least 1" in result.stderr
    assert "site.yaml:5: warning: unknown key 'titel' (did you mean 'title'?)" in result.stderr


def test_missing_site_yaml_is_a_clear_error(make_site, tmp_path):
    site = make_site({"site.yaml": None}, base={k: v for k, v in MINIMAL_SITE.items() if k != "site.yaml"})
    result = site.run("build")
    assert result.exit_code == 1
    assert "site.yaml" in result.stderr and "--site" in result.stderr


def test_output_folder_that_would_overwrite_the_site_is_refused(make_site):
    site = make_site()
    result = site.run("build", "--output", str(site.root / "content"))
    assert result.exit_code == 1
    assert (site.root / "content/articles/2011-02-17-talks.md").is_file()


def test_build_never_writes_into_content(make_site):
    site = make_site()
    before = snapshot(site.root / "content")
    site.build()
    site.build("--drafts")
    assert snapshot(site.root / "content") == before
    outside = {p.relative_to(site.root).parts[0] for p in site.root.iterdir()}
    assert outside <= {"site.yaml", "content", "_site", ".cache"}


def test_a_broken_entity_file_is_one_error_not_a_flood_of_missing_file_warnings(make_site):
    site = make_site({"content/countries/japan.md": "---\nname: Japan\naliases: [Nippon\n---\n"})
    result = site.run("check")
    assert result.exit_code == 1
    assert "content/countries/japan.md:4: invalid YAML" in result.stderr
    assert "no content/countries/japan.md" not in result.stderr
