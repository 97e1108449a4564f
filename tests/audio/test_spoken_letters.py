"""Initialisms and a.m./p.m. as the voice says them: every letter by its name, stressed as an initialism.

Written spaced ("A I", "A M") the voice read "A" as the article and "I" as the pronoun ("the a-I
race", "ten a-em"), and "E.U's" as "E dot U's". These tests phonemize what we send the voice, with
the voice's own phonemizer, so they check what a listener hears.
"""

from __future__ import annotations

import pytest

from masthead.audio.spoken import speakable
from masthead.audio.synthesis import load_synthesizer

# IPA as the voice's phonemizer (espeak-ng) writes each letter's name, stressed as in an initialism.
LETTER_A, LETTER_I, LETTER_M, LETTER_T = "eɪ", "aɪ", "ɛm", "tˈiː"


def heard(text: str) -> str:
    """What the voice says for `text` after our front end, as one string of phonemes."""
    sentences = load_synthesizer().voice.phonemize(speakable(text))
    return " ".join("".join(sentence) for sentence in sentences)


@pytest.mark.parametrize(
    ("written", "letters"),
    [
        ("The AI race is on.", "ˌeɪˈaɪ"),
        ("The meeting starts at 10.30am today.", "ˌeɪˈɛm"),
        ("The train leaves at 9:00 a.m. tomorrow.", "ˌeɪˈɛm"),
        ("The store opens at 8 AM.", "ˌeɪˈɛm"),
        ("An IT budget was cut.", "ˌaɪtˈiː"),
        ("The IMF lent more money.", "ˌaɪˌɛmˈɛf"),
        ("AT&T bought the firm.", "ˌeɪtˈiː ænd tˈiː"),
    ],
)
def test_the_letters_a_and_i_are_said_by_their_names_not_as_the_article_or_the_pronoun(written, letters):
    assert letters in heard(written)


@pytest.mark.parametrize(
    ("written", "letters"),
    [
        ("The EU's rules apply.", "ˌiːjˈuː z"),
        ("The U.N.'s envoy resigned.", "jˌuːˈɛn z"),
        ("The UN's envoy resigned.", "jˌuːˈɛn z"),
        ("The CEOs met in private.", "sˌiːʲˌiːʲˈoʊ z"),
        ("The WHO's chief spoke.", "dˌʌbəljˌuːˌeɪtʃˈoʊ z"),
    ],
)
def test_a_possessive_or_plural_of_an_initialism_is_its_letters_then_z_never_dot(written, letters):
    said = heard(written)
    assert letters in said
    assert "dˈɑːt" not in said  # "dot"


def test_an_initialism_that_is_also_a_word_is_spelled_and_one_said_as_a_word_is_not():
    assert "dˌʌbəljˌuːˌeɪtʃˈoʊ" in heard("The WHO declared an emergency.")  # not "who"
    assert "nˈeɪɾoʊ" in heard("NATO met in Vilnius.")
