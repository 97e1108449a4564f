"""The editors' pronunciation lexicon: applied to every narration, and re-narrating what it changes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from masthead.audio import services
from masthead.audio.lexicon import Lexicon
from masthead.audio.models import ArticleNarration, PronunciationEntry
from masthead.audio.script import build_script
from masthead.audio.spoken import speakable
from tests.factories import ArticleFactory, AuthorFactory


def say(text: str) -> str:
    return Lexicon.load().say(text, speakable)


def test_a_respelling_replaces_the_word_wherever_it_is_written(db):
    PronunciationEntry.objects.create(word="Xi", respelling="Shee")

    assert (
        say("Xi met Putin; xi's visit, and XI's, went well.") == "Shee met Putin; Shee's visit, and Shee's, went well."
    )
    assert say("Xiamen and Taxi") == "Xiamen and Taxi"


def test_match_case_keeps_an_entry_to_exactly_that_spelling(db):
    PronunciationEntry.objects.create(word="US", respelling="United States", match_case=True)

    assert say("The US told us so.") == "The United States told us so."


def test_phonemes_go_to_the_voice_in_pipers_phoneme_brackets_untouched_by_the_text_rules(db):
    PronunciationEntry.objects.create(word="Lavrov", phonemes="lˈævɹɑːf")

    assert say("Lavrov said on Feb. 7 that NATO grew.") == "[[ lˈævɹɑːf ]] said on February seventh that NATO grew."


def test_the_lexicon_wins_over_the_initialism_rule_and_longest_words_win(db):
    PronunciationEntry.objects.create(word="PRC", respelling="the People's Republic")
    PronunciationEntry.objects.create(word="Xi", respelling="Shee")
    PronunciationEntry.objects.create(word="Xi Jinping", respelling="Shee Jin-ping")

    assert say("PRC leader Xi Jinping, or Xi.") == "the People's Republic leader Shee Jin-ping, or Shee."


def test_an_entry_needs_a_respelling_or_phonemes_the_voice_knows(db):
    with pytest.raises(ValidationError):
        PronunciationEntry(word="Qatar").full_clean()
    with pytest.raises(ValidationError, match="does not know these symbols: ☃"):
        PronunciationEntry(word="Qatar", phonemes="kˈʌtɑːɹ☃").full_clean()
    PronunciationEntry(word="Qatar", phonemes="kˈʌtɑːɹ").full_clean()
    PronunciationEntry(word="Qatar", respelling="KUT-ar").full_clean()


def test_the_lexicon_applies_to_every_narration_and_its_version_covers_only_the_words_used(seed_article, sections):
    other = ArticleFactory(section=sections["culture"], authors=[AuthorFactory(name="Mira Holt")])
    before_seed, before_other = build_script(seed_article), build_script(other)

    PronunciationEntry.objects.create(word="Solberg", respelling="SOOL-bairg")

    seed_script, other_script = build_script(seed_article), build_script(other)
    assert "met with Norwegian Energy Minister Henrik SOOL-bairg." in seed_script.spoken_text
    assert seed_script.lexicon_version and seed_script.lexicon_version != before_seed.lexicon_version
    assert other_script.lexicon_version == before_other.lexicon_version == ""


def test_changing_an_entry_and_asking_to_re_narrate_narrates_only_the_articles_it_changes(
    seed_article, free_article, narrate, quick_voice, editor_client, django_capture_on_commit_callbacks
):
    seed_before, free_before = narrate(seed_article), narrate(free_article)
    entry = PronunciationEntry.objects.create(word="Solberg", respelling="SOOL-bairg")
    narrate(seed_article)
    entry.respelling = "SOOL-berg"
    entry.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post("/admin/narrations/refresh/")

    assert response.status_code == 302
    seed_after = ArticleNarration.objects.get(article=seed_article)
    free_after = ArticleNarration.objects.get(article=free_article)
    assert "Henrik SOOL-berg." in seed_after.script_text
    assert seed_after.file_name != seed_before.file_name
    assert (free_after.file_name, free_after.narrated_at) == (free_before.file_name, free_before.narrated_at)
    assert services.ensure_audio(seed_article.pk).result == services.UNCHANGED


def test_editors_can_add_pronunciations_in_the_admin(editor_client):
    response = editor_client.post(
        "/admin/snippets/audio/pronunciationentry/add/",
        {"word": "Zhaoxu", "respelling": "jow-SHOO", "phonemes": "", "notes": ""},
    )

    assert response.status_code == 302
    assert say("Ma Zhaoxu visited.") == "Ma jow-SHOO visited."


def test_the_pronunciations_list_offers_to_re_narrate(editor_client):
    response = editor_client.get("/admin/snippets/audio/pronunciationentry/")

    assert response.status_code == 200
    assert b"/admin/narrations/refresh/" in response.content
