"""The archive by date: /archive/, /archive/YYYY/ and /archive/YYYY/MM/.

Periods are the years and months that have articles; each period page
links to the previous and next such period, so a reader can page through
the whole archive in order. Articles are listed oldest first within a
period, as in a bound volume.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from builder.config import SiteConfig
from builder.fields import month_name
from builder.index import SiteIndex
from builder.records import Article
from builder.render import Page
from builder.urls import archive_path


@dataclass(frozen=True)
class Period:
    """A year (month None) or a month that has articles."""

    year: int
    month: int | None
    count: int

    @property
    def path(self) -> str:
        return archive_path(self.year, self.month)

    @property
    def label(self) -> str:
        return str(self.year) if self.month is None else f"{month_name(self.month)} {self.year}"


@dataclass(frozen=True)
class YearSummary:
    period: Period
    months: tuple[Period, ...]


@dataclass(frozen=True)
class MonthGroup:
    period: Period
    articles: tuple[Article, ...]


def archive_pages(index: SiteIndex, config: SiteConfig) -> Iterator[Page]:
    months: dict[tuple[int, int], list[Article]] = defaultdict(list)
    for article in reversed(index.articles):  # oldest first
        months[(article.date.year, article.date.month)].append(article)
    month_periods = [Period(y, m, len(found)) for (y, m), found in sorted(months.items())]
    year_periods = [Period(y, None, sum(p.count for p in month_periods if p.year == y))
                    for y in sorted({p.year for p in month_periods})]
    summaries = tuple(YearSummary(year, tuple(p for p in month_periods if p.year == year.year))
                      for year in reversed(year_periods))

    yield Page(archive_path(), "archive.html", {
        "title": "Archive",
        "description": f"All {len(index.articles)} articles of {config.title} by year and month.",
        "level": "root",
        "years": summaries,
        "article_total": len(index.articles),
        "groups": (),
        "period": None,
        "year": None,
        "previous": None,
        "next": None,
        "lastmod": _newest(index.articles),
    })
    for position, year in enumerate(year_periods):
        summary = next(s for s in summaries if s.period == year)
        groups = tuple(MonthGroup(m, tuple(months[(m.year, m.month or 0)])) for m in summary.months)
        yield Page(year.path, "archive.html", {
            "title": f"Archive: {year.label}",
            "description": f"{year.count} articles from {year.label}.",
            "level": "year",
            "years": (summary,),
            "article_total": year.count,
            "groups": groups,
            "period": year,
            "year": None,
            "previous": year_periods[position - 1] if position > 0 else None,
            "next": year_periods[position + 1] if position + 1 < len(year_periods) else None,
            "lastmod": _newest([a for g in groups for a in g.articles]),
        })
    for position, month in enumerate(month_periods):
        found = tuple(months[(month.year, month.month or 0)])
        yield Page(month.path, "archive.html", {
            "title": f"Archive: {month.label}",
            "description": f"{month.count} articles from {month.label}.",
            "level": "month",
            "years": (),
            "article_total": month.count,
            "groups": (MonthGroup(month, found),),
            "period": month,
            "year": Period(month.year, None, 0),
            "previous": month_periods[position - 1] if position > 0 else None,
            "next": month_periods[position + 1] if position + 1 < len(month_periods) else None,
            "lastmod": _newest(found),
        })


def _newest(articles: tuple[Article, ...] | list[Article]) -> date | None:
    return max(((a.updated or a.date).date() for a in articles), default=None)
