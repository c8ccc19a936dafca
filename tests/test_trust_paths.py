"""Collisions and paths: no two sources share a page, nothing escapes the output folder."""

from __future__ import annotations

import os

from tests.trustutil import break_site, locations, snapshot

ARTICLE = "---\ntitle: {title}\ndate: 2011-03-01\n---\nBody.\n"


def test_same_slug_from_two_files_names_both(make_site):
    site = make_site()
    result = break_site(site, {"content/articles/2011-03-01-talks.md": ARTICLE.format(title="Again")})
    assert locations(result.stderr) == ["content/articles/2011-03-01-talks.md:1"]
    assert "writes the same page as content/articles/2011-02-17-talks.md" in result.stderr


def test_slugs_differing_only_in_case_collide(make_site):
    site = make_site()
    result = break_site(site, {"content/countries/Japan.md": "---\nname: Japan again\n---\n"})
    assert sorted(locations(result.stderr)) == ["content/countries/Japan.md:1",
                                               "content/countries/japan.md:1"]
    assert "writes the same page as content/countries/Japan.md" in result.stderr


def test_dot_dot_references_are_not_slugs(make_site):
    site = make_site()
    bad = "content/articles/2011-03-01-escape.md"
    result = break_site(site, {bad: "---\ntitle: T\ndate: 2011-03-01\nactors:\n  - ../../../evil\n"
                                    "country: /etc/passwd\n---\nSee [x](actor:../../evil).\n"})
    assert sorted(locations(result.stderr)) == [f"{bad}:5", f"{bad}:6", f"{bad}:8"]


def test_a_file_name_that_is_not_a_slug_is_refused(make_site):
    site = make_site()
    result = break_site(site, {"content/actors/under_score.md": "---\nname: X\n---\n",
                               "content/actors/sp ace.md": "---\nname: Y\n---\n"})
    assert sorted(locations(result.stderr)) == ["content/actors/sp ace.md:1",
                                               "content/actors/under_score.md:1"]


def test_symlink_to_a_file_outside_the_site_is_refused(make_site, tmp_path):
    site = make_site()
    secret = tmp_path / "secret.md"
    secret.write_text("---\nname: Secret\n---\nPRIVATE-TEXT\n", encoding="utf-8")
    link = site.root / "content/actors/secret.md"
    result = break_site(site, {}, change=lambda: link.symlink_to(secret))
    assert locations(result.stderr) == ["content/actors/secret.md:1"]
    assert "outside the site" in result.stderr


def test_symlinked_content_folder_outside_the_site_is_refused(make_site, tmp_path):
    site = make_site()
    elsewhere = tmp_path / "elsewhere"
    (elsewhere).mkdir()
    (elsewhere / "x.md").write_text("---\nname: X\n---\n", encoding="utf-8")
    link = site.root / "content/events"
    result = break_site(site, {}, change=lambda: link.symlink_to(elsewhere, target_is_directory=True))
    assert locations(result.stderr) == ["content/events:1"]


def test_symlink_inside_the_site_is_fine(make_site):
    site = make_site({"notes/kim.md": "---\nname: Kim Sung-hwan (linked)\n---\n"})
    (site.root / "content/actors/kim-sung-hwan.md").unlink()
    os.symlink("../../notes/kim.md", site.root / "content/actors/kim-sung-hwan.md")
    site.build()
    assert site.page("actors/kim-sung-hwan/").h1.get_text(strip=True) == "Kim Sung-hwan (linked)"


def test_static_symlink_outside_the_site_is_refused(make_site, tmp_path):
    site = make_site()
    (tmp_path / "passwd").write_text("root:x:0:0\n", encoding="utf-8")
    link = site.root / "static/leak.txt"
    result = break_site(site, {"static/ok.css": "a {}"},
                        change=lambda: link.symlink_to(tmp_path / "passwd"))
    assert locations(result.stderr) == ["static/leak.txt:1"]
    assert not (site.output / "static/leak.txt").exists()


def test_links_planted_in_the_output_are_replaced_not_followed(make_site, tmp_path):
    """A folder link inside _site must not carry a build's writes outside the output."""
    site = make_site()
    site.build()
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("mine", encoding="utf-8")
    articles = site.output / "articles"
    os.rename(articles, tmp_path / "moved-articles")
    articles.symlink_to(victim, target_is_directory=True)
    (site.output / "index.html").unlink()
    (site.output / "index.html").symlink_to(victim / "keep.txt")
    site.build()
    assert snapshot(victim) == {"keep.txt": b"mine"}
    assert not articles.is_symlink() and (articles / "talks/index.html").is_file()
    assert not (site.output / "index.html").is_symlink()
    assert site.page("").title is not None


def test_nothing_is_written_into_content_or_beside_the_output(make_site, tmp_path):
    site = make_site()
    before = snapshot(tmp_path, skip=site.output)
    assert site.run("check").exit_code == 0
    assert snapshot(tmp_path) == before  # check writes nothing at all
    site.build()
    site.build()  # the second build changes nothing and leaves nothing either
    assert snapshot(tmp_path, skip=site.output) == before


def test_output_folder_inside_content_is_refused(make_site):
    site = make_site()
    result = site.run("build", "--output", str(site.root / "content/out"))
    assert result.exit_code == 1
    assert locations(result.stderr) == []
    assert result.stderr.startswith("site.yaml: ")
    assert not (site.root / "content/out").exists()
