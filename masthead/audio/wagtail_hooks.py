from django.urls import include, path, reverse
from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from masthead.audio import admin_views
from masthead.audio.models import PronunciationEntry


class PronunciationIndexView(IndexView):
    @cached_property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton("Re-narrate affected articles", url=reverse("audio_admin:refresh"), icon_name="media"),
        ]


class PronunciationViewSet(SnippetViewSet):
    model = PronunciationEntry
    index_view_class = PronunciationIndexView
    icon = "openquote"
    menu_label = "Pronunciations"
    menu_order = 320
    add_to_admin_menu = True
    list_display = ["word", "respelling", "phonemes", "match_case", "updated_at"]
    search_fields = ["word"]


register_snippet(PronunciationViewSet)


@hooks.register("register_admin_urls")
def register_audio_admin_urls():
    urls = [
        path("", admin_views.NarrationIndexView.as_view(), name="narrations"),
        path("refresh/", admin_views.RefreshView.as_view(), name="refresh"),
        path("<id:article_id>/", admin_views.NarrationDetailView.as_view(), name="narration"),
        path("<id:article_id>/renarrate/", admin_views.renarrate, name="renarrate"),
    ]
    return [path("narrations/", include((urls, "audio_admin"), namespace="audio_admin"))]


@hooks.register("register_admin_menu_item")
def register_narrations_menu_item():
    return MenuItem("Narrations", reverse("audio_admin:narrations"), icon_name="media", order=310)


@hooks.register("register_page_header_buttons")
def narration_button(page, user, view_name, next_url=None):
    from masthead.content.models import ArticlePage

    if page.specific_class is ArticlePage:
        yield Button("Narration", url=reverse("audio_admin:narration", args=[page.pk]), icon_name="media", priority=80)
