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


def test_ordinals_below_a_hundred_are_left_to_the_voice_which_says_them_as_the_words_or_clearer():
    """The ordinals rule leaves "1st" to "99th" as written: the voice says each as its words, and "11th" with
    the first vowel that written "eleventh" loses ("The eleventh hour" was heard "The love at our")."""
    from num2words import num2words

    def phonemes(text: str) -> str:
        return "".join("".join(sentence) for sentence in load_synthesizer().voice.phonemize(text)).replace(" ", "")

    def suffix(number: int) -> str:
        return "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")

    unlike_the_words = []
    for number in range(1, 100):
        written = f"the {number}{suffix(number)} time"
        assert heard(written).replace(" ", "") == phonemes(written)  # our front end left it as written
        if phonemes(written) != phonemes(f"the {num2words(number, to='ordinal')} time"):
            unlike_the_words.append(number)
    assert unlike_the_words == [11, 39, 49, 89]  # 39, 49, 89: a flapped t ("thirty-ninth"), as Americans say it
    assert "ɪlˈɛvənθ" in phonemes("the 11th time") and "ᵻlˈɛvənθ" in phonemes("the eleventh time")
