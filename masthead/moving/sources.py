"""Turning an export (Ghost's or WordPress's) into the importer's steps: its authors first, then its posts."""

from __future__ import annotations

from functools import partial

from masthead.moving.commands import Step
from masthead.moving.report import ImportReport, RecordProblem
from masthead.moving.site import SiteImport


def mapping(pairs: list[str]) -> dict[str, str]:
    """["news", "op-ed=opinion"] -> {"news": "news", "op-ed": "opinion"}: old slugs to our section slugs."""
    result = {}
    for pair in pairs:
        old, _, ours = pair.partition("=")
        result[old.strip()] = (ours or old).strip()
    return result


def author_step(site: SiteImport, key: str) -> str:
    site.author(key)
    return site.last_outcome


def article_steps(site: SiteImport, export, report: ImportReport, *, not_articles: str) -> list[Step]:
    """Every author, then every post that reads as an article; unreadable posts are reported now."""
    for author in export.authors():
        site.authors[author.key] = author
    for section in export.sections():
        site.sections[section.key] = section
    steps: list[Step] = [
        (author.where, "authors", partial(author_step, site, author.key)) for author in export.authors()
    ]
    for where, article in export.articles():
        if article is None:
            report.note(not_articles)
        elif isinstance(article, RecordProblem):
            report.problem(where, str(article), kind="articles")
        else:
            steps.append((where, "articles", partial(site.article, article)))
    return steps
