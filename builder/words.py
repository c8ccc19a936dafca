"""Words as the search index sees them, folded the same way here and in static/search.js.

The reader tokenises each article body once, when it parses the file, and
the record cache keeps the result: the search index is then assembled from
ready-made word lists instead of re-reading every body on every build.
"""

from __future__ import annotations

import html
import re
import unicodedata

MIN_LENGTH = 2  # shorter words are not indexed
STOPWORDS = frozenset((
    "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "had", "has", "have", "he",
    "her", "his", "in", "is", "it", "its", "not", "of", "on", "or", "she", "that", "the", "their", "they",
    "this", "to", "was", "were", "which", "will", "with",
))

_TAGS = re.compile(r"<[^>]*>")
_COMBINING = re.compile("[\u0300-\u036f]")
_TOKEN = re.compile(r"[^\W_]+")


def terms_of(text: str) -> set[str]:
    """The distinct indexable words of a text, folded as search.js folds a query: lower case,
    compatibility-decomposed, combining accents dropped.

    Splitting on spaces and de-duplicating first means the slower Unicode
    steps see each distinct word once rather than every word of a long body.
    """
    distinct = " ".join(set(text.lower().split()))
    if not distinct.isascii():
        distinct = _COMBINING.sub("", unicodedata.normalize("NFKD", distinct))
    terms = set(_TOKEN.findall(distinct))
    terms -= STOPWORDS
    return {t for t in terms if len(t) >= MIN_LENGTH}


def html_text(fragment: str) -> str:
    return html.unescape(_TAGS.sub(" ", fragment))


def search_words(text: str) -> str:
    """The distinct indexable words of a text, sorted, space-separated (compact to cache)."""
    return " ".join(sorted(terms_of(text)))


def body_terms(body_html: str) -> str:
    return search_words(html_text(body_html))
