"""`new`: create a correctly named content file with its front matter."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from builder.config import load_config
from builder.errors import Problem, Report, UsageError
from builder.urls import slugify


def scaffold(site_dir: Path, what: str, title: str, today: date | None = None) -> Path:
    """Write a new article or entity file and return its path; never overwrite."""
    config = load_config(site_dir, Report())
    content = config.resolve(config.content_dir)
    slug = slugify(title)
    quoted = json.dumps(title.strip(), ensure_ascii=False)  # a JSON string is a valid YAML string
    if what == "article":
        day = (today or date.today()).isoformat()
        path = content / "articles" / f"{day}-{slug}.md"
        kind_lines = "".join(f"{kind.name}: []\n" for kind in config.kinds)
        text = (f"---\ntitle: {quoted}\ndate: {day}\nbyline: \"\"\nsource: \"\"\n{kind_lines}"
                f"draft: true\n---\nWrite the article here. Link an entity like "
                f"[Name]({config.kinds[0].singular}:slug).\n")
    else:
        kind = config.kind_by_singular(what) or config.kind(what)
        if kind is None:
            choices = ", ".join(["article", *(k.singular for k in config.kinds)])
            raise UsageError([Problem("new", 0, f"unknown kind '{what}'", f"use one of: {choices}")])
        path = content / kind.name / f"{slug}.md"
        text = f"---\nname: {quoted}\naliases: []\n---\nA short description.\n"
    if path.exists():
        raise UsageError([Problem(path.relative_to(site_dir).as_posix(), 0, "already exists",
                                  "pick another title or edit that file")])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
