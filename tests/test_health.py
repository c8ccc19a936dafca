"""`check` reports the annotation graph's health as located warnings, in text and JSON."""

from __future__ import annotations

import json

from builder.health import normalised_name
from tests.conftest import REPO_ROOT, run_cli
from tests.trustutil import locations

UNHEALTHY = {
    "content/articles/2011-03-01-lonely.md": "---\ntitle: Lonely\ndate: 2011-03-01\n---\nNo one.\n",
    "content/actors/kim-sung-hwan-2.md": "---\nname: Kim Sung Hwan\naliases: [FM Kim]\n---\n",
    "content/actors/kim-sung-hwan.md": """\
        ---
        name: Kim Sung-hwan
        aliases: [FM Kim, Minister Kim]
        country: south-korea
        ---
        Foreign minister.
        """,
    "content/countries/south-korea.md": "---\nname: South Korea\nactors: [naoto-kan]\n---\n",
    "content/actors/naoto-kan.md": "---\nname: Naoto Kan\ncountry: japan\n---\n",
    "content/countries/japan.md": "---\nname: Japan\n---\n",
}


def check(site, *args):
    return site.run("check", *args)


def test_health_findings_are_located_warnings(make_site):
    site = make_site(UNHEALTHY)
    result = check(site)
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()

    def at(where):
        return [line for line in lines if line.startswith(where + ": warning: ")]

    assert any("no article references this actor" in line
               for line in at("content/actors/kim-sung-hwan-2.md:1"))
    assert any("references no actor" in line for line in at("content/articles/2011-03-01-lonely.md:1"))
    assert any("'FM Kim' is also an alias of content/actors/kim-sung-hwan.md" in line
               for line in at("content/actors/kim-sung-hwan-2.md:3"))
    assert any("'FM Kim' is also an alias of content/actors/kim-sung-hwan-2.md" in line
               for line in at("content/actors/kim-sung-hwan.md:3"))
    assert any("lists countries/south-korea, whose 'actors' (naoto-kan) does not list kim-sung-hwan"
               in line for line in at("content/actors/kim-sung-hwan.md:4"))
    # Naoto Kan lists Japan, which keeps no list of actors: one-way, so not a finding.
    assert not [line for line in lines if line.startswith("content/actors/naoto-kan.md")
                and "lists countries/japan" in line]
    assert "actors: 3 with a file, 0 stubs, 1 referenced by articles, 2 referenced by none" \
        in result.stdout
    assert "articles: 2, 1 with no references" in result.stdout


def test_near_collision_is_found_when_no_alias_is_shared(make_site):
    site = make_site({"content/actors/kim-sung-hwan-2.md": "---\nname: KIM Sung Hwan\n---\n"})
    result = check(site)
    found = [line for line in result.stderr.splitlines() if "nearly collides" in line]
    assert locations("\n".join(found)) == ["content/actors/kim-sung-hwan-2.md:2",
                                           "content/actors/kim-sung-hwan.md:2"]
    assert "'Kim Sung-hwan' (content/actors/kim-sung-hwan.md)" in found[0]


def test_normalised_names_fold_case_hyphens_spaces_and_accents():
    assert normalised_name("Kim Sung-hwan") == normalised_name("KIM SUNG HWAN") == "kimsunghwan"
    assert normalised_name("Jiří  Jovanović") == normalised_name("jiri-jovanovic")
    assert normalised_name("Naoto Kan") != normalised_name("Naoto Kano")


def test_check_json_gives_the_same_for_scripts(make_site):
    site = make_site(UNHEALTHY)
    text = check(site)
    result = check(site, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["errors"] == []
    health = data["health"]
    assert {w["check"] for w in health["warnings"]} == {
        "unreferenced-entity", "article-without-references", "shared-alias", "inconsistent-relation"}
    assert sorted(w["text"] for w in health["warnings"]) == sorted(
        line for line in text.stderr.splitlines() if line.split(": ")[0].endswith((".md:1", ".md:3", ".md:4"))
        and ": warning: " in line)
    assert health["kinds"]["actors"] == {"entities": 3, "stubs": 0, "referenced": 1, "unreferenced": 2}
    assert health["articles"] == {"total": 2, "without_references": 1}


def test_check_json_reports_errors_with_exit_1(make_site):
    site = make_site({"content/articles/2011-03-01-bad.md": "---\ntitle: T\ndate: 2011-02-30\n---\n"})
    result = check(site, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert [(e["path"], e["line"]) for e in data["errors"]] == [("content/articles/2011-03-01-bad.md", 3)]


def test_health_stays_out_of_build(make_site):
    site = make_site(UNHEALTHY)
    result = site.build()
    assert "nearly collides" not in result.stderr and "also an alias" not in result.stderr
    assert "no article references" not in result.stderr
    assert site.run("build", "--strict").exit_code == 0


def test_the_shipped_sample_checks_clean():
    result = run_cli("check", "--site", str(REPO_ROOT))
    assert result.returncode == 0, result.stderr
    assert "Checked: no errors" in result.stdout
    data = json.loads(run_cli("check", "--site", str(REPO_ROOT), "--format", "json").stdout)
    assert data["ok"] is True
    assert all(kind["entities"] > 0 for kind in data["health"]["kinds"].values())
