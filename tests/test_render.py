"""The renderer's shortcuts keep Jinja's meaning: escaping as markupsafe does, url() errors located."""

from __future__ import annotations

from datetime import date

import markupsafe
from hypothesis import given
from hypothesis import strategies as st

from builder.render import _escape_output


class HasHtml:
    def __html__(self) -> str:
        return "<b>trusted</b>"


@given(st.text())
def test_any_text_escapes_as_markupsafe_does(text: str) -> None:
    assert _escape_output(text) == str(markupsafe.escape(text))


def test_other_values_escape_as_markupsafe_does() -> None:
    values = ["\"'<>&", markupsafe.Markup("<i>safe</i>"), HasHtml(), 42, 1.5, None, date(2011, 2, 17),
              markupsafe.Markup("a & b").striptags()]
    for value in values:
        escaped = _escape_output(value)
        assert type(escaped) is str and escaped == str(markupsafe.escape(value)), value


def test_a_wrong_url_argument_names_the_template_and_line(make_site) -> None:
    site = make_site()
    site.write("templates/article.html", '{% extends "base.html" %}\n{% block content %}\n'
                                         "{% for n in [1] %}\n<a href=\"{{ url(n) }}\">x</a>\n{% endfor %}\n"
                                         "{% endblock %}\n")
    result = site.run("build")
    assert result.exit_code == 1
    assert "templates/article.html:4: TypeError: url() takes a path, an article" in result.stderr


def test_a_site_base_template_extends_the_theme_and_changes_one_block(make_site) -> None:
    """templates/base.html reaches the theme's own as theme/base.html (plain base.html is itself)."""
    site = make_site()
    site.write("templates/base.html", '{% extends "theme/base.html" %}\n'
                                      "{% block footer %}<p>Kept by the Example Newsroom</p>{% endblock %}\n")
    result = site.build()
    assert result.exit_code == 0, result.stderr
    for path in ("", "articles/talks/", "actors/", "countries/japan/"):
        page = site.page(path)
        footer = page.find("footer", class_="site-footer")
        assert footer.get_text(strip=True) == "Kept by the Example Newsroom", path
        assert page.find("nav") is not None and page.find("link", rel="stylesheet") is not None
