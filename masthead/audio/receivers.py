"""The audio app reacts to Wagtail's signals: a published article is narrated, a deleted one's file removed."""

from __future__ import annotations

from django.db.models.signals import post_delete
from wagtail.signals import page_published

from masthead.audio import conf


def narrate_published_article(sender, instance, **kwargs) -> None:
    from masthead.audio.services import request_narration
    from masthead.audio.tasks import enqueue_narration
    from masthead.content.models import ArticlePage

    if not isinstance(instance, ArticlePage) or not conf.narrate_on_publish():
        return
    if request_narration(instance):
        enqueue_narration(instance.pk)


def remove_audio_file(sender, instance, **kwargs) -> None:
    from masthead.audio.services import delete_audio_files

    delete_audio_files(instance)


def connect() -> None:
    page_published.connect(narrate_published_article, dispatch_uid="audio_narrate_published_article")
    post_delete.connect(remove_audio_file, sender="audio.ArticleNarration", dispatch_uid="audio_remove_file")
