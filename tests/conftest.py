"""Shared fixtures: tiny sites built in tmp_path from a dict of path -> text."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tests.siteutil import SiteFixture

REPO_ROOT = Path(__file__).resolve().parent.parent

MINIMAL_SITE: dict[str, str] = {
    "site.yaml": "title: Test Archive\nbase_url: https://example.org/\n",
    "content/articles/2011-02-17-talks.md": """\
        ---
        title: "Seoul, Tokyo talk"
        date: 2011-02-17
        byline: Shin Hae-in
        actors: [kim-sung-hwan]
        countries: [south-korea, japan]
        ---
        [Kim Sung-hwan](actor:kim-sung-hwan) met his counterpart in [Japan](country:japan).
        """,
    "content/actors/kim-sung-hwan.md": """\
        ---
        name: Kim Sung-hwan
        country: south-korea
        ---
        Foreign minister.
        """,
    "content/countries/south-korea.md": "---\nname: South Korea\n---\n",
    "content/countries/japan.md": "---\nname: Japan\n---\n",
}


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Write files, dedenting text so fixtures can be indented in the test source."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., SiteFixture]:
    """make_site({path: text}, base=MINIMAL_SITE) -> a SiteFixture in tmp_path/site."""

    def factory(files: Mapping[str, str | bytes] | None = None, *, base: Mapping[str, str] | None = None,
                name: str = "site") -> SiteFixture:
        root = tmp_path / name
        merged: dict[str, str | bytes] = dict(MINIMAL_SITE if base is None else base)
        merged.update(files or {})
        write_files(root, {k: v for k, v in merged.items() if v is not None})
        return SiteFixture(root)

    return factory


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `python -m builder ARGS` in a subprocess, as a user would."""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "builder", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)
