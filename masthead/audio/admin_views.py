"""Editors' views in the Wagtail admin: every article's narration status, and re-narrating."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from masthead.audio import services
from masthead.audio.models import ArticleNarration
from masthead.audio.queries import narration_status_counts
from masthead.audio.tasks import enqueue_narration, refresh_narrations
from masthead.audio.templatetags.audio_tags import minutes_and_seconds
from masthead.audio.views import file_url

PER_PAGE = 50


class NarrationIndexView(WagtailAdminTemplateMixin, TemplateView):
    page_title = "Narrations"
    header_icon = "media"
    template_name = "audio/admin/narrations.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        narrations = ArticleNarration.objects.select_related("article").order_by("-updated_at")
        if status in dict(ArticleNarration.STATUSES):
            narrations = narrations.filter(status=status)
        page = Paginator(narrations, PER_PAGE).get_page(self.request.GET.get("p"))
        counts = narration_status_counts()
        context.update(
            page=page,
            status=status,
            statuses=[(value, label, counts.get(value, 0)) for value, label in ArticleNarration.STATUSES],
            rows=[(narration, minutes_and_seconds(narration.duration_ms)) for narration in page.object_list],
        )
        return context


class NarrationDetailView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "media"
    template_name = "audio/admin/narration.html"

    def get_page_title(self):
        return f"Narration: {self.article.title}"

    def dispatch(self, request, *args, article_id: int, **kwargs):
        from masthead.content.models import ArticlePage

        self.article = get_object_or_404(ArticlePage, pk=article_id)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        narration = ArticleNarration.objects.filter(article=self.article).first()
        context.update(
            article=self.article,
            narration=narration,
            duration=minutes_and_seconds(narration.duration_ms) if narration else "",
            chapters=[
                {**chapter, "at": minutes_and_seconds(chapter["start_ms"])} for chapter in (narration.chapters or [])
            ]
            if narration
            else [],
            src=file_url(self.article.pk, narration.version) if narration and narration.has_audio else "",
            can_renarrate=self.article.permissions_for_user(self.request.user).can_publish(),
        )
        return context


@require_POST
def renarrate(request, article_id: int):
    """Narrate the article again, even if its text has not changed (a new voice, a fixed word)."""
    from masthead.content.models import ArticlePage

    article = get_object_or_404(ArticlePage, pk=article_id)
    if not article.permissions_for_user(request.user).can_publish():
        raise PermissionDenied
    if not article.live:
        messages.error(request, "Only published articles are narrated.")
        return redirect("audio_admin:narration", article_id=article.pk)
    with transaction.atomic():
        services.request_renarration(article)
        enqueue_narration(article.pk)
    messages.success(request, f"“{article.title}” will be narrated again in a moment.")
    return redirect("audio_admin:narration", article_id=article.pk)


class RefreshView(WagtailAdminTemplateMixin, TemplateView):
    """After changing pronunciations: re-narrate the articles whose spoken text they change."""

    page_title = "Re-narrate after pronunciation changes"
    header_icon = "media"
    template_name = "audio/admin/refresh.html"

    def post(self, request):
        if not request.user.has_perm("audio.change_pronunciationentry"):
            raise PermissionDenied
        transaction.on_commit(refresh_narrations.enqueue)
        messages.success(
            request,
            "Articles whose spoken text changed are queued for narration; the Narrations list shows their progress.",
        )
        return redirect(reverse("audio_admin:narrations"))
