"""`init`: a new archive folder that builds, previews and publishes as it is.

Like `hugo new site` and `mkdocs new`: a commented site.yaml, the content
folders with one example article and entity, a .gitignore, and a GitHub
Pages workflow for the archive's own repository. The workflow installs this
very version of the builder from PyPI (the archive's repository holds no
builder code) and keeps `.cache/` between runs, so a push that edits one
article builds incrementally. Nothing that exists is overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from builder import DISTRIBUTION, __version__
from builder.errors import Problem, UsageError

# Today's majors (December 2026), all on the Node 24 runtime; README "Publish on GitHub Pages"
# says where they were looked up. The repository's own .github/workflows/pages.yml uses the same.
ACTIONS = {
    "checkout": "actions/checkout@v7",
    "setup-python": "actions/setup-python@v7",
    "cache": "actions/cache@v6",
    "configure-pages": "actions/configure-pages@v6",
    "upload-pages-artifact": "actions/upload-pages-artifact@v5",
    "deploy-pages": "actions/deploy-pages@v5",
}


@dataclass(frozen=True)
class Created:
    root: Path
    files: tuple[str, ...]  # relative paths, in the order written


def init_site(root: Path, today: date | None = None) -> Created:
    """Write a new archive into `root` (made if missing); refuse if any of its files exists."""
    files = _files(root, today or date.today())
    existing = [name for name in files if (root / name).exists()]
    if existing:
        raise UsageError([Problem((root / name).as_posix(), 0, "already exists",
                                  "init writes only files that are missing: run it in a new or "
                                  "empty folder, or move this one away") for name in existing])
    if root.exists() and not root.is_dir():
        raise UsageError([Problem(root.as_posix(), 0, "is a file, not a folder", "pick a folder name")])
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as file:  # "x": never overwrite, even in a race
            file.write(text)
    return Created(root, tuple(files))


def workflow(version: str = __version__) -> str:
    """The GitHub Pages workflow for an archive's own repository, pinned to `version`."""
    return _WORKFLOW.format(distribution=DISTRIBUTION, version=version, **{
        name.replace("-", "_"): uses for name, uses in ACTIONS.items()})


def _files(root: Path, today: date) -> dict[str, str]:
    title = root.resolve().name.replace("-", " ").replace("_", " ").strip().title() or "News Archive"
    day = today.isoformat()
    return {
        "site.yaml": _SITE_YAML.format(title=title.replace('"', "'")),
        f"content/articles/{day}-welcome.md": _ARTICLE.format(day=day),
        "content/actors/united-nations.md": _ENTITY,
        "content/countries/.gitkeep": "",
        "content/events/.gitkeep": "",
        ".gitignore": "# Built by `python -m builder build` and kept between builds: never commit them.\n"
                      "_site/\n.cache/\n",
        ".github/workflows/pages.yml": workflow(),
    }


_SITE_YAML = """\
# Site settings for builder (python -m builder). Every key is optional; the
# README's "site.yaml reference" documents each one.

# The name in every page header, and one sentence for the home page and feeds.
title: "{title}"
description: An annotated archive of news reporting.

# The public address. On GitHub Pages the workflow passes the right one
# (https://<user>.github.io/<repository>/ or your custom domain) with --base-url.
base_url: http://localhost:8000/

# The pages' language code, and the time zone of dates written without one.
language: en
timezone: UTC

# Publisher name for feeds and structured data.
author: ""

# The entity kinds: a folder under content/ for each, and the front matter key
# that names them in an article (actors: [united-nations]).
kinds:
  actors: {{singular: actor, title: Actors}}
  countries: {{singular: country, title: Countries}}
  events: {{singular: event, title: Events}}
"""

_ARTICLE = """\
---
title: "Welcome to the archive"
date: {day}
byline: The editors
source: This archive
summary: "How an article names the actors, countries and events it concerns."
actors: [united-nations]
countries: []
events: []
---
Each article is a Markdown file in `content/articles/`, named by its date and
slug. Its front matter lists the entities it concerns, and the text can link one
by kind and slug, as here: the [United Nations](actor:united-nations) now has a
page that lists this article.

Make the next one with `python -m builder new article "Its title"`, preview the
site with `python -m builder serve`, and delete this file when you no longer
need it.
"""

_ENTITY = """\
---
name: United Nations
aliases: [UN]
type: organization
---
An example entity: every actor, country and event is a Markdown file in its
kind's folder, and its page lists the articles that name it.
"""

_WORKFLOW = """\
# Build this archive and publish it with GitHub Pages (written by `python -m builder init`).
# In the repository: Settings -> Pages -> Build and deployment -> Source: "GitHub Actions".
# The base URL comes from the Pages settings, so links work under
# https://<user>.github.io/<repository>/ and at a custom domain's root.
name: Publish to GitHub Pages

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

# One deployment at a time; a newer push does not cancel one in progress.
concurrency:
  group: pages
  cancel-in-progress: false

env:
  # The builder version this archive is built with; change it to upgrade.
  BUILDER_VERSION: "{version}"

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: Check out
        uses: {checkout}

      - name: Set up Python
        uses: {setup_python}
        with:
          python-version: "3.12"

      - name: Install the builder
        run: python -m pip install "{distribution}==${{{{ env.BUILDER_VERSION }}}}"

      - name: Read the Pages settings
        id: pages
        uses: {configure_pages}

      # .cache/ and _site/ hold what the last build read and wrote, so a push that edits one
      # article rebuilds only what it touches. A new builder version starts afresh.
      - name: Keep the build cache
        uses: {cache}
        with:
          path: |
            .cache
            _site
          key: builder-${{{{ env.BUILDER_VERSION }}}}-${{{{ github.sha }}}}
          restore-keys: builder-${{{{ env.BUILDER_VERSION }}}}-

      # base_url has no trailing slash (https://user.github.io/repo): add one.
      - name: Build the site
        run: python -m builder build --strict --base-url "${{{{ steps.pages.outputs.base_url }}}}/"

      - name: Upload the site
        uses: {upload_pages_artifact}
        with:
          path: _site

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - name: Deploy to GitHub Pages
        id: deployment
        uses: {deploy_pages}
"""
