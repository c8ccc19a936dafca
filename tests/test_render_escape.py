"""The renderer's own output escaping writes exactly what markupsafe.escape() would."""

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
