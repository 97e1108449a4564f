"""Editors see every article's narration status in the admin and can have an article narrated again."""

from __future__ import annotations

from masthead.audio import synthesis
from masthead.audio.models import ArticleNarration
from tests.audio.test_narration import BrokenVoice
from tests.reading import parsed, words


def test_editors_see_each_articles_narration_status_and_the_error_of_a_failed_one(
    editor_client, free_article, gated_article, narrate, monkeypatch
):
    narrate(free_article)
    monkeypatch.setattr(synthesis, "load_synthesizer", BrokenVoice)
    from masthead.audio import services

    services.ensure_audio(gated_article.pk)

    page = parsed(editor_client.get("/admin/narrations/"))
    rows = {
        words(row.select_one("td a")): [words(cell) for cell in row.select("td")] for row in page.select("tbody tr")
    }
    assert rows["Budget Talks Stall"][1] == "Ready"
    assert rows["The Bond Market Blinks"][1].startswith("Failed (retry")
    assert rows["The Bond Market Blinks"][4] == "RuntimeError: the voice model is missing"
    failed_only = parsed(editor_client.get("/admin/narrations/?status=failed"))
    assert [words(link) for link in failed_only.select("tbody td a")] == ["The Bond Market Blinks"]


def test_an_editor_can_re_narrate_an_article_whose_text_has_not_changed(
    editor_client, free_article, narrate, quick_voice, django_capture_on_commit_callbacks
):
    before = narrate(free_article)
    detail = parsed(editor_client.get(f"/admin/narrations/{free_article.pk}/"))
    assert "What is left." in words(detail)  # what the narrator reads
    assert detail.select_one(f"form[action='/admin/narrations/{free_article.pk}/renarrate/']") is not None

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/admin/narrations/{free_article.pk}/renarrate/")

    assert response.status_code == 302
    after = ArticleNarration.objects.get(article=free_article)
    assert after.status == ArticleNarration.READY
    assert after.narrated_at > before.narrated_at
    assert after.file_name != before.file_name


def test_readers_cannot_reach_the_narration_admin(reader_client, free_article):
    assert reader_client.get("/admin/narrations/").status_code == 302
    assert reader_client.post(f"/admin/narrations/{free_article.pk}/renarrate/").status_code == 302


def test_the_article_editor_links_to_its_narration(editor_client, free_article):
    response = editor_client.get(f"/admin/pages/{free_article.pk}/edit/")

    assert f"/admin/narrations/{free_article.pk}/".encode() in response.content
