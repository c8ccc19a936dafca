"""Where the default theme (templates/ and static/) lives.

In a source checkout or an editable install the theme is the repository's
own templates/ and static/; a wheel carries copies inside the package
(pyproject.toml force-includes them as builder/theme/).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def theme_dir(name: str) -> Path:
    """The theme's `templates` or `static` folder."""
    packaged = _PACKAGE / "theme" / name
    return packaged if packaged.is_dir() else _PACKAGE.parent / name
