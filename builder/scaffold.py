"""`new`: create a correctly named content file with its front matter."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import date
from pathlib import Path

from slugify import slugify as transliterate

from builder.config import load_config
from builder.errors import Problem, Report, UsageError

# text-unidecode (python-slugify's table) reads Han characters as Mandarin and spells kana one
# character at a time (きょう -> kiyou): a Japanese or Chinese title gets a hash slug instead.
_NOT_TRANSLITERATED = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA")


def new_slug(title: str) -> str:
    """A URL slug for a new file: the title transliterated to ASCII, else a hash of the title.

    python-slugify (with text-unidecode) folds accents and romanizes Cyrillic, Greek and Hangul
    well enough for a URL and turns every dash or other punctuation into a hyphen.
    """
    if not any(unicodedata.name(c, "").startswith(_NOT_TRANSLITERATED) for c in title):
        slug = transliterate(title, max_length=80, word_boundary=True)
        if slug:
            return slug
    return hashlib.sha256(title.strip().encode("utf-8")).hexdigest()[:8]


def scaffold(site_dir: Path, what: str, title: str, today: date | None = None) -> Path:
    """Write a new article or entity file and return its path; never overwrite."""
    config = load_config(site_dir, Report())
    content = config.resolve(config.content_dir)
    slug = new_slug(title)
    quoted = json.dumps(title.strip(), ensure_ascii=False)  # a JSON string is a valid YAML string
    if what == "article":
        day = (today or date.today()).isoformat()
        path = content / "articles" / f"{day}-{slug}.md"
        kind_lines = "".join(f"{kind.name}: []\n" for kind in config.kinds)
        text = (f"---\ntitle: {quoted}\ndate: {day}\nbyline: \"\"\nsource: \"\"\n{kind_lines}"
                f"# Link an entity in the text as [its name]({config.kinds[0].singular}:its-slug).\n"
                f"# A draft is left out of `build` until this line goes; `build --drafts` shows it.\n"
                f"draft: true\n---\nWrite the article here.\n")
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
