"""`init`: a new archive that builds, links up and publishes from its own repository."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import yaml

from builder import DISTRIBUTION, __version__
from builder.init import ACTIONS
from tests.conftest import REPO_ROOT, run_cli
from tests.siteutil import SiteFixture, internal_links, output_file, parse_html

INIT_FILES = {"site.yaml", ".gitignore", ".github/workflows/pages.yml", "content/actors/united-nations.md"}


def crawl(output: Path, base_path: str = "/") -> tuple[set[str], list[tuple[str, str]]]:
    """Follow every internal link from the home page: (pages reached, (page, link) that lead nowhere)."""
    reached: set[str] = set()
    broken: list[tuple[str, str]] = []
    queue = deque([base_path])
    while queue:
        url = queue.popleft()
        if url in reached:
            continue
        reached.add(url)
        target = output_file(output, url[len(base_path):])
        if target.suffix != ".html":
            continue
        for link in internal_links(parse_html(target.read_text(encoding="utf-8"))):
            path = urlsplit(urljoin(url, link)).path
            if not path.startswith(base_path) or not output_file(output, path[len(base_path):]).is_file():
                broken.append((url, link))
            elif path not in reached:
                queue.append(path)
    return reached, broken


def test_init_in_an_empty_folder_builds_a_site_whose_every_link_leads_somewhere(tmp_path: Path) -> None:
    result = run_cli("init", "newsdesk", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    root = tmp_path / "newsdesk"
    written = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert written >= INIT_FILES
    assert len([p for p in written if p.startswith("content/articles/")]) == 1
    assert "python -m builder serve" in result.stdout and "cd newsdesk" in result.stdout
    assert set((root / ".gitignore").read_text().split()) >= {"_site/", ".cache/"}

    built = run_cli("build", "--strict", cwd=root)
    assert built.returncode == 0, built.stderr
    assert built.stderr == "", built.stderr  # no warning, not even about the example
    site = SiteFixture(root)
    home = site.page("")
    stats = " ".join(home.find(class_="stats").get_text().split())
    assert stats == "1 article · 1 actor · 0 countries · 0 events"  # one of a kind is singular
    reached, broken = crawl(site.output)
    assert broken == []
    assert {"/articles/welcome/", "/actors/united-nations/", "/actors/", "/countries/", "/events/",
            "/timeline/", "/search/"} <= reached
    article = site.page("articles/welcome/")
    assert article.find("a", href="/actors/united-nations/") is not None


def test_init_refuses_to_overwrite_and_writes_nothing_then(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: Mine\n")
    (tmp_path / "README.md").write_text("An existing repository.\n")
    result = run_cli("init", cwd=tmp_path)
    assert result.returncode == 2
    assert "site.yaml: already exists" in result.stderr
    assert (tmp_path / "site.yaml").read_text() == "title: Mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "site.yaml"]
    # A folder with other files (a fresh clone with a README) is fine.
    (tmp_path / "site.yaml").unlink()
    assert run_cli("init", cwd=tmp_path).returncode == 0
    assert (tmp_path / "README.md").read_text() == "An existing repository.\n"


def test_version_names_the_distribution() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"{DISTRIBUTION} {__version__}"


def steps_of(workflow: dict) -> list[dict]:
    return workflow["jobs"]["build"]["steps"] + workflow["jobs"]["deploy"]["steps"]


def check_actions_and_cache(workflow: dict) -> dict:
    """Today's majors for every action, and .cache/ kept under a key naming the builder version."""
    uses = {step["uses"].split("@")[0]: step["uses"] for step in steps_of(workflow) if "uses" in step}
    assert uses == {uses.split("@")[0]: uses for uses in ACTIONS.values()}
    cache = next(step for step in steps_of(workflow) if step.get("uses") == ACTIONS["cache"])
    assert cache["with"]["path"].split() == [".cache", "_site"]
    build = workflow["jobs"]["build"]["steps"]
    runs = [step.get("run", "") for step in build]
    build_at = next(i for i, command in enumerate(runs) if "python -m builder build" in command)
    assert build.index(cache) < build_at  # restored before the build, saved after the job
    return cache


def test_init_writes_a_workflow_that_installs_this_version_from_pypi_and_keeps_the_cache(
        tmp_path: Path) -> None:
    assert run_cli("init", cwd=tmp_path).returncode == 0
    workflow = yaml.safe_load((tmp_path / ".github/workflows/pages.yml").read_text())
    cache = check_actions_and_cache(workflow)
    assert workflow["env"]["BUILDER_VERSION"] == __version__
    assert cache["with"]["key"].startswith("builder-${{ env.BUILDER_VERSION }}-")
    assert cache["with"]["restore-keys"] == "builder-${{ env.BUILDER_VERSION }}-"
    runs = [step.get("run", "") for step in workflow["jobs"]["build"]["steps"]]
    installs = [command for command in runs if "pip install" in command]
    assert installs == [f'python -m pip install "{DISTRIBUTION}==${{{{ env.BUILDER_VERSION }}}}"']


def test_the_repository_workflow_uses_todays_actions_and_keeps_the_cache() -> None:
    workflow = yaml.safe_load((REPO_ROOT / ".github/workflows/pages.yml").read_text())
    cache = check_actions_and_cache(workflow)
    assert "steps.builder.outputs.version" in cache["with"]["key"]
