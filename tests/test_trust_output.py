"""Atomic output and size: a failed or interrupted build leaves the previous output as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.generate import generate_archive
from builder.output import staging_prefix
from builder.render import Renderer
from tests.conftest import REPO_ROOT
from tests.trustutil import break_site, locations, snapshot


def test_template_error_mid_render_keeps_the_old_output(make_site):
    """Pages rendered before the failing one are staged, then thrown away."""
    site = make_site()
    entity = (REPO_ROOT / "templates/entity.html").read_text(encoding="utf-8")
    broken = "{% if entity.slug == 'south-korea' %}{{ entity.no_such_field }}{% endif %}\n" + entity
    result = break_site(site, {"templates/entity.html": broken})
    assert locations(result.stderr) == ["templates/entity.html:1"]
    assert "no_such_field" in result.stderr and "rendering /countries/south-korea/" in result.stderr


def test_failure_while_copying_static_files_keeps_the_old_output(make_site, tmp_path):
    site = make_site()
    (tmp_path / "outside.css").write_text("a {}", encoding="utf-8")
    link = site.root / "static/theme.css"
    result = break_site(site, {"static/ok.css": "b {}"}, "--base-url", "https://example.org/sub/",
                        change=lambda: link.symlink_to(tmp_path / "outside.css"))
    assert locations(result.stderr) == ["static/theme.css:1"]


def test_ctrl_c_mid_render_keeps_the_old_output(make_site, monkeypatch, tmp_path):
    site = make_site()
    site.build()
    before = snapshot(site.output)
    outside = snapshot(tmp_path, skip=site.output)
    real_render, calls = Renderer.render, []

    def interrupted(self, page):
        calls.append(page.path)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_render(self, page)

    monkeypatch.setattr(Renderer, "render", interrupted)
    result = site.run("build", "--base-url", "https://example.org/moved/")
    assert result.exit_code == 130
    assert "Interrupted; the previous output is unchanged." in result.stderr
    assert snapshot(site.output) == before
    assert snapshot(tmp_path, skip=site.output) == outside


def test_first_build_that_fails_leaves_no_output_folder(make_site, tmp_path):
    site = make_site({"content/articles/2011-03-01-bad.md": "---\ntitle: [\n---\n"})
    result = site.run("build")
    assert result.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert not site.output.exists()


@pytest.fixture(scope="module")
def archive_300(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("archive") / "site"
    generate_archive(root, articles=300)
    return root


def _interrupt_build(root: Path, sig: signal.Signals) -> subprocess.CompletedProcess[str]:
    """Start a build that rewrites every page; send `sig` once staging has begun."""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    process = subprocess.Popen([sys.executable, "-m", "builder", "build", "--site", str(root),
                                "--base-url", f"https://example.org/{sig.name.lower()}/"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    prefix = staging_prefix(root / "_site")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        staging = [p for p in root.iterdir() if p.name.startswith(prefix)]
        if staging and any(staging[0].rglob("*.html")):
            break
        time.sleep(0.005)
    else:
        process.kill()
        pytest.fail("the build ended before staging could be seen")
    process.send_signal(sig)
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_killed_build_cleans_up_and_keeps_the_old_output(archive_300, sig):
    root = archive_300
    subprocess.run([sys.executable, "-m", "builder", "build", "--site", str(root)], check=True,
                   env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)), capture_output=True)
    before = snapshot(root / "_site")
    beside = snapshot(root, skip=root / "_site")
    result = _interrupt_build(root, sig)
    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root / "_site") == before
    assert snapshot(root, skip=root / "_site") == beside  # the staging folder is gone


@pytest.mark.slow
def test_kill_9_leaves_the_output_untouched_and_the_next_build_tidies(archive_300):
    root = archive_300
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    subprocess.run([sys.executable, "-m", "builder", "build", "--site", str(root)], check=True,
                   env=env, capture_output=True)
    before = snapshot(root / "_site")
    beside = snapshot(root, skip=root / "_site")
    result = _interrupt_build(root, signal.SIGKILL)
    assert result.returncode == -signal.SIGKILL
    assert snapshot(root / "_site") == before  # not one file added, changed or removed
    leftovers = [p.name for p in root.iterdir() if p.name.startswith(staging_prefix(root / "_site"))]
    assert len(leftovers) == 1  # the only trace: a hidden folder beside the output
    subprocess.run([sys.executable, "-m", "builder", "build", "--site", str(root)], check=True,
                   env=env, capture_output=True)
    assert snapshot(root / "_site") == before
    assert snapshot(root, skip=root / "_site") == beside


def test_a_5_mb_article_builds(make_site):
    paragraph = ("The talks in Seoul covered trade, security and the [six-party talks]"
                 "(event:six-party-talks); officials said more meetings would follow. ") * 8
    body = "\n\n".join(f"## Part {n}\n\n{paragraph}" for n in range(5 * 1024 * 1024 // len(paragraph)))
    site = make_site({"content/articles/2011-03-01-long.md":
                      f"---\ntitle: Long\ndate: 2011-03-01\n---\n{body}\n"})
    assert (site.root / "content/articles/2011-03-01-long.md").stat().st_size > 5 * 1024 * 1024
    result = site.build()
    page = site.page("articles/long/")
    assert len(page.select(".body h2")) > 1000
    assert site.page("events/six-party-talks/").find("a", href="/articles/long/") is not None
    assert locations(result.stderr) == ["content/articles/2011-03-01-long.md:7"]  # the stub warning


@pytest.mark.slow
def test_10000_files_in_one_folder_build(make_site):
    files = {f"content/actors/person-{n:05d}.md": f"---\nname: Person {n}\n---\n"
             for n in range(10_000)}
    files["content/articles/2011-03-01-crowd.md"] = (
        "---\ntitle: Crowd\ndate: 2011-03-01\nactors: [person-00000, person-09999]\n---\nMany.\n")
    site = make_site(files)
    site.build()
    assert (site.output / "actors/person-09999/index.html").is_file()
    assert len(site.page("actors/").select("main li")) >= 10_000


def test_failed_build_into_a_new_nested_folder_leaves_no_folders(make_site, tmp_path):
    site = make_site({"templates/home.html": "{{ no_such_variable }}"})
    result = site.run("build", "--output", str(tmp_path / "a/b/out"))
    assert result.exit_code == 1
    assert locations(result.stderr) == ["templates/home.html:1"]
    assert not (tmp_path / "a").exists()
