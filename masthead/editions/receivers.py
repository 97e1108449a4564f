"""The editions app reacts to Wagtail's signals: a published issue, or a changed article in a live one, is rebuilt."""

from __future__ import annotations

from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished, published

from masthead.editions import conf


def build_published_issue(sender, instance, **kwargs) -> None:
    from masthead.editions.tasks import enqueue_edition_build

    if conf.build_on_publish():
        enqueue_edition_build(instance.pk)


def rebuild_issue_of_changed_article(sender, instance, **kwargs) -> None:
    """An article published, edited or withdrawn changes its issue's edition (the build skips if it does not)."""
    from masthead.content.models import ArticlePage
    from masthead.editions.models import IssueArticle
    from masthead.editions.tasks import enqueue_edition_build

    if not isinstance(instance, ArticlePage) or not conf.build_on_publish():
        return
    entry = IssueArticle.objects.filter(article_id=instance.pk, issue__live=True).values_list("issue_id", flat=True)
    for issue_id in entry:
        enqueue_edition_build(issue_id)


def remove_edition_file(sender, instance, **kwargs) -> None:
    from masthead.editions.builds import delete_edition_file

    delete_edition_file(instance)


def connect() -> None:
    from masthead.editions.models import Issue

    # `published` is a plain signal (not a model signal): its sender must be the class itself.
    published.connect(build_published_issue, sender=Issue, dispatch_uid="editions_build_published_issue")
    page_published.connect(rebuild_issue_of_changed_article, dispatch_uid="editions_rebuild_on_article_publish")
    page_unpublished.connect(rebuild_issue_of_changed_article, dispatch_uid="editions_rebuild_on_article_unpublish")
    post_delete.connect(remove_edition_file, sender="editions.EditionFile", dispatch_uid="editions_remove_file")
