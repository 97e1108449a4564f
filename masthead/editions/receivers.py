"""The editions app reacts to signals: a published issue, or a change to anything a live issue's edition
shows (an article, its section, its place in the tree, its privacy, a byline's author, a picture's credit
or alt text), queues a build. The build compares content hashes first, so a change the edition does not
show costs one cheap job per issue.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move, published

from masthead.editions import conf

# The image fields an edition shows (its content hash covers them); Wagtail also saves an image to
# store its file's hash or size, which changes nothing.
SHOWN_IMAGE_FIELDS = {"file", "description", "credit"}


def build_published_issue(sender, instance, **kwargs) -> None:
    from masthead.editions.tasks import enqueue_edition_build

    if conf.build_on_publish():
        enqueue_edition_build(instance.pk)


def rebuild_issues(issue_ids: Iterable[int]) -> None:
    """Queue a build of each issue, once, when the current transaction commits."""
    from masthead.editions.tasks import enqueue_edition_build

    for issue_id in sorted(set(issue_ids)):
        enqueue_edition_build(issue_id)


def live_issues_of_articles(articles: Q) -> list[int]:
    """The live issues holding articles that match `articles` (a Q on IssueArticle's `article`)."""
    from masthead.editions.models import IssueArticle

    return list(IssueArticle.objects.filter(articles, issue__live=True).values_list("issue_id", flat=True))


def live_issues_under(path: str) -> list[int]:
    """The live issues holding the page at `path` or any article beneath it (a section's articles)."""
    return live_issues_of_articles(Q(article__path__startswith=path))


def rebuild_issue_of_changed_article(sender, instance, **kwargs) -> None:
    """An article published, edited or withdrawn changes its issue's edition; so does renaming its section."""
    from masthead.content.models import ArticlePage, SectionPage

    if isinstance(instance, ArticlePage | SectionPage) and conf.build_on_publish():
        rebuild_issues(live_issues_under(instance.path))


def rebuild_issues_of_moved_page(sender, instance, **kwargs) -> None:
    """A moved article (or section) has a new section and address in the edition."""
    if conf.build_on_publish():
        rebuild_issues(live_issues_under(instance.path))


def rebuild_issues_of_restricted_page(sender, instance, **kwargs) -> None:
    """Page privacy added or lifted: the restricted articles leave the edition, or come back to it."""
    from wagtail.models import Page

    path = Page.objects.filter(pk=instance.page_id).values_list("path", flat=True).first()
    if path is not None and conf.build_on_publish():
        rebuild_issues(live_issues_under(path))


def rebuild_issues_of_author(sender, instance, created=False, raw=False, update_fields=None, **kwargs) -> None:
    """An author renamed: every live issue with one of their bylines."""
    if created or raw or not conf.build_on_publish():
        return
    if update_fields is not None and "name" not in update_fields:
        return
    rebuild_issues(live_issues_of_articles(Q(article__article_authors__author=instance)))


def rebuild_issues_of_image(sender, instance, created=False, raw=False, update_fields=None, **kwargs) -> None:
    """A picture's credit, alt text or file changed: every live issue showing it (cover, hero or inline)."""
    from masthead.editions.models import Issue

    if created or raw or not conf.build_on_publish():
        return
    if update_fields is not None and not SHOWN_IMAGE_FIELDS & set(update_fields):
        return
    on_covers = Issue.objects.filter(live=True, cover_image=instance).values_list("pk", flat=True)
    as_heroes = live_issues_of_articles(Q(article__hero_image=instance))
    rebuild_issues([*on_covers, *as_heroes, *live_issues_with_inline_image(instance.pk)])


def live_issues_with_inline_image(image_id: int) -> list[int]:
    """Live issues with an article whose body shows the image: bodies naming the number, then checked block by block."""
    from masthead.editions.models import IssueArticle

    candidates = (
        IssueArticle.objects.filter(issue__live=True)
        .annotate(body_text=Cast("article__body", TextField()))
        .filter(body_text__contains=str(image_id))
        .values_list("issue_id", "body_text")
    )
    return [issue_id for issue_id, body in candidates if image_id in inline_image_ids(body)]


def inline_image_ids(body_json: str | None) -> set[int]:
    blocks = json.loads(body_json or "[]")
    if isinstance(blocks, str):  # a row saved before StreamField stored JSON holds the stream as a string
        blocks = json.loads(blocks)
    return {
        block["value"].get("image")
        for block in blocks
        if block.get("type") == "image" and isinstance(block.get("value"), dict)
    }


def remove_edition_file(sender, instance, **kwargs) -> None:
    from masthead.editions.builds import delete_edition_file

    delete_edition_file(instance)


def connect() -> None:
    from masthead.editions.models import Issue

    # `published` is a plain signal (not a model signal): its sender must be the class itself.
    published.connect(build_published_issue, sender=Issue, dispatch_uid="editions_build_published_issue")
    page_published.connect(rebuild_issue_of_changed_article, dispatch_uid="editions_rebuild_on_article_publish")
    page_unpublished.connect(rebuild_issue_of_changed_article, dispatch_uid="editions_rebuild_on_article_unpublish")
    post_page_move.connect(rebuild_issues_of_moved_page, dispatch_uid="editions_rebuild_on_page_move")
    for signal in (post_save, post_delete):
        signal.connect(
            rebuild_issues_of_restricted_page,
            sender="wagtailcore.PageViewRestriction",
            dispatch_uid=f"editions_rebuild_on_page_privacy_{signal is post_save}",
        )
    post_save.connect(rebuild_issues_of_author, sender="content.Author", dispatch_uid="editions_rebuild_on_author")
    post_save.connect(rebuild_issues_of_image, sender="content.CreditedImage", dispatch_uid="editions_rebuild_on_image")
    post_delete.connect(remove_edition_file, sender="editions.EditionFile", dispatch_uid="editions_remove_file")
