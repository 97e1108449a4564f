"""The written-forms corpus (tests/audio/corpus.tsv): every sentence, through the narration's text
front end, gives the spoken form a careful reader would say. One row per sentence: its class, the
sentence as written, and what the narrator must say."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from masthead.audio.lexicon import Lexicon
from masthead.audio.models import PronunciationEntry
from masthead.audio.spoken import CLASSES, speakable

CORPUS = Path(__file__).with_name("corpus.tsv")


def corpus_rows() -> list[dict[str, str]]:
    with CORPUS.open(encoding="utf-8", newline="") as corpus:
        return list(csv.DictReader(corpus, delimiter="\t", quoting=csv.QUOTE_NONE))


ROWS = corpus_rows()


@pytest.mark.parametrize("row", ROWS, ids=[f"{row['class']}: {row['written']}" for row in ROWS])
def test_every_corpus_sentence_is_read_as_it_should_be_said(row):
    assert speakable(row["written"]) == row["spoken"]


def test_the_corpus_covers_every_class_of_written_forms_with_twenty_sentences_or_more():
    counts = {name: sum(row["class"] == name for row in ROWS) for name in CLASSES if name != "tidy"}
    assert len(ROWS) >= 300
    assert {name: count for name, count in counts.items() if count < 20} == {}
    assert {row["class"] for row in ROWS} <= set(CLASSES)


@pytest.mark.django_db
def test_an_editors_entry_wins_over_the_rules_for_its_word():
    """ "NATO" is said as a word by the rules; an editor's respelling still decides how."""
    PronunciationEntry.objects.create(word="NATO", respelling="Nay-toe", match_case=True)
    PronunciationEntry.objects.create(word="COVID", respelling="Co-vid", match_case=True)
    lexicon = Lexicon.load()
    said = lexicon.say("NATO met about COVID-19 in 2022.", speakable)
    assert said == "Nay-toe met about Co-vid-19 in twenty twenty-two."


@pytest.mark.django_db
def test_a_possessive_of_a_name_given_phonemes_is_said_inside_the_phonemes():
    PronunciationEntry.objects.create(word="Lavrov", phonemes="lˈævɹɑːf")
    PronunciationEntry.objects.create(word="Xi", phonemes="ɕˈi")
    PronunciationEntry.objects.create(word="Kyiv", respelling="KEE-iv")
    lexicon = Lexicon.load()
    said = lexicon.say("Lavrov's visit, Xi's plan and Kyiv's answer.", speakable)
    assert said == "[[ lˈævɹɑːfs ]] visit, [[ ɕˈiz ]] plan and KEE-iv's answer."
