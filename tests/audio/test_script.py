"""What the narrator reads of an article, in what order, and how numbers, money and initialisms come out."""

from __future__ import annotations

import datetime

import pytest

from masthead.audio.script import BYLINE, HEADING, PARAGRAPH, QUOTE, TITLE, build_script
from masthead.audio.spoken import speakable
from masthead.audio.synthesis import MAX_CHUNK_CHARS, speech_chunks
from tests.factories import ArticleFactory, AuthorFactory, CreditedImageFactory
from tests.seed import SEED_AUTHOR, SEED_CREDIT, SEED_LAST_WORDS, SEED_PAGE_OPENINGS, SEED_TITLE


@pytest.fixture
def seed_script(seed_article):
    return build_script(seed_article)


def test_seed_script_reads_title_then_byline_then_every_paragraph_in_order(seed_article, seed_script):
    kinds = [segment.kind for segment in seed_script.segments]
    spoken = [segment.spoken for segment in seed_script.segments]
    written = [segment.text for segment in seed_script.segments]

    assert kinds[:2] == [TITLE, BYLINE]
    assert spoken[0] == f"{SEED_TITLE}."
    assert spoken[1] == f"By {SEED_AUTHOR}. February seventh, twenty twenty-three."
    assert set(kinds[2:]) == {PARAGRAPH}
    paragraphs = [block for page in seed_article.web_pages for block in page if block.block_type == "paragraph"]
    assert len(kinds) - 2 == len(paragraphs)
    openings = [next(i for i, text in enumerate(written) if text.startswith(opening)) for opening in SEED_PAGE_OPENINGS]
    assert openings == sorted(openings)
    assert spoken[2].startswith("Finland said on February fourth that trust between the Nordic grid operators")
    assert spoken[-1].endswith(SEED_LAST_WORDS)


def test_seed_script_has_a_chapter_for_the_title_and_each_later_web_page(seed_script):
    chapters = [(segment.chapter, segment.text[:40]) for segment in seed_script.segments if segment.chapter]

    assert [title for title, _ in chapters] == [SEED_TITLE, "Page 2", "Page 3"]
    assert chapters[1][1] == SEED_PAGE_OPENINGS[1][:40]
    assert chapters[2][1] == SEED_PAGE_OPENINGS[2][:40]


def test_seed_script_leaves_out_the_photo_credit_and_the_subscribe_box(seed_article, seed_script):
    text = seed_script.spoken_text

    assert seed_article.hero_image.credit == SEED_CREDIT
    assert "Oskar Holm" not in text
    assert "Nordlys" not in text
    assert "Subscribe" not in text
    assert "What's Included" not in text
    assert "Audio provided for all articles" not in text


def test_seed_script_says_money_initialisms_and_years_as_a_narrator_would(seed_script):
    text = seed_script.spoken_text

    assert "its landmark 60 billion dollars undersea cable deal" in text
    assert "$" not in text
    assert "after a U.S utility made a bid" in text
    assert "U.S." not in text
    assert "not only the E.U itself engaging in this, but European companies, E.U companies, doing this" in text
    assert "EU" not in text
    assert "hitting a record in twenty twenty-two, partially" in text
    assert "more than twice the share in twenty twenty-one." in text
    assert "2022" not in text
    assert "close to the North Atlantic Treaty Organization, NATO." in text
    assert "according to a report by Nordic Energy Review on January twenty-fifth, citing" in text


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("a $60 billion deal", "a 60 billion dollars deal"),
        ("It cost $3.50.", "It cost 3 dollars and 50 cents."),
        ("It cost $1.", "It cost 1 dollar."),
        ("a £2m fee", "a 2 million pounds fee"),
        ("over U.S. airspace", "over U.S airspace"),
        ("sanctions on the U.S.", "sanctions on the U.S."),
        ("the PRC's plan", "the P.R.C.'s plan"),
        ("the CEOs met", "the C.E.O.'s met"),
        ("NATO and OPEC", "NATO and OPEC"),
        ("in 2022", "in twenty twenty-two"),
        ("in 2005", "in two thousand five"),
        ("in 1905", "in nineteen oh five"),
        ("from 2020-2022", "from twenty twenty to twenty twenty-two"),
        ("the 1990s and the '80s", "the nineteen nineties and the eighties"),
        ("on Feb. 7", "on February seventh"),
        ("on Feb. 7, 2023", "on February seventh, twenty twenty-three"),
        ("on 7 February", "on the seventh of February"),
        ("on March 21st", "on March twenty-first"),
        ("the 21st century", "the 21st century"),  # the voice reads 1st-99th as the words itself
        ("the 101st airborne", "the one hundred first airborne"),
        ("up 3.5%", "up 3.5 percent"),
        ("Dr. Smith met Mr. Price", "Doctor Smith met Mister Price"),
        ("on Wall St. today", "on Wall Street today"),
        ("tea, coffee, etc. Then", "tea, coffee, et cetera. Then"),
        ("e.g. this", "for example this"),
        ("at 10:30 a.m. today", "at 10:30 A.M today"),
        ("companies — PRC companies — doing", "companies, P.R.C companies, doing"),
        ("the Organization (NATO).", "the Organization, NATO."),
        ("and [is] the biggest", "and is the biggest"),
        ("AT&T", "A.T and T"),
        ("1,150 words", "1,150 words"),
        ("World War II", "World War Two"),  # the voice alone says "World War roman two"
        ("BREAKING NEWS", "BREAKING NEWS"),
    ],
)
def test_text_rules_turn_writing_into_speech(written, spoken):
    assert speakable(written) == spoken


@pytest.fixture
def feature_article(sections):
    """Two web pages with sub-headings, pull quotes (one repeated, one lifted from a paragraph), images."""
    return ArticleFactory(
        section=sections["culture"],
        title="The Harbour Painters",
        slug="the-harbour-painters",
        authors=[AuthorFactory(name="Mira Holt"), AuthorFactory(name="Tomas Berg")],
        date=datetime.date(2024, 1, 1),
        standfirst="A colony of artists keeps a fishing town's memory alive.",
        hero_image=CreditedImageFactory(alt_text="A painter at an easel", credit="Lee Park/Studio"),
        hero_caption="Morning on the shore.",
        body=[
            {"type": "paragraph", "value": "<p>The painters arrive before the boats do.</p>"},
            {"type": "pull_quote", "value": {"quote": "We paint what the sea leaves.", "attribution": "Iris Vale"}},
            {"type": "paragraph", "value": "<p>“We paint what the sea leaves.”</p>"},
            {"type": "heading", "value": "Light and salt"},
            {
                "type": "image",
                "value": {"image": CreditedImageFactory(credit="Ana Ruiz/Agencia").pk, "caption": "The quay at dusk."},
            },
            {"type": "paragraph", "value": "<p>Each <i>morning</i>, the light is different, says Vale.</p>"},
            {"type": "page_break", "value": None},
            {"type": "paragraph", "value": "<p>Some of them sell; most of them do not, and do not mind.</p>"},
            {"type": "pull_quote", "value": {"quote": "Most of them do not, and do not mind."}},
            {"type": "pull_quote", "value": {"quote": "We paint what the sea leaves.", "attribution": "Iris Vale"}},
            {"type": "heading", "value": "The winter"},
            {"type": "paragraph", "value": "<p>In winter the studios close.</p>"},
        ],
    )


def test_script_reads_subheadings_paragraphs_and_each_pull_quote_once_in_order(feature_article):
    script = build_script(feature_article)

    assert [(segment.kind, segment.spoken) for segment in script.segments] == [
        (TITLE, "The Harbour Painters."),
        (BYLINE, "By Mira Holt and Tomas Berg. January first, twenty twenty-four."),
        (PARAGRAPH, "The painters arrive before the boats do."),
        (QUOTE, "We paint what the sea leaves. Iris Vale."),
        (HEADING, "Light and salt."),
        (PARAGRAPH, "Each morning, the light is different, says Vale."),
        (PARAGRAPH, "Some of them sell; most of them do not, and do not mind."),
        (HEADING, "The winter."),
        (PARAGRAPH, "In winter the studios close."),
    ]


def test_script_never_reads_captions_credits_or_the_standfirst(feature_article):
    text = build_script(feature_article).spoken_text

    for unread in ["The quay at dusk", "Ana Ruiz", "Lee Park", "Morning on the shore", "A colony of artists"]:
        assert unread not in text


def test_chapters_start_at_the_title_each_subheading_and_each_web_page(feature_article):
    assert build_script(feature_article).chapter_titles == [
        "The Harbour Painters",
        "Light and salt",
        "Page 2",
        "The winter",
    ]


def test_a_web_page_that_opens_with_a_subheading_is_one_chapter_named_by_it(sections):
    article = ArticleFactory(
        section=sections["culture"],
        body=[
            {"type": "paragraph", "value": "<p>First.</p>"},
            {"type": "page_break", "value": None},
            {"type": "heading", "value": "Second part"},
            {"type": "paragraph", "value": "<p>Second.</p>"},
        ],
    )

    assert build_script(article).chapter_titles[1:] == ["Second part"]


def test_long_sentences_reach_the_voice_in_pieces_cut_at_commas_never_inside_phonemes():
    clauses = [f"clause number {n} of a sentence that goes on" for n in range(20)]
    text = "A short one. " + ", ".join(clauses) + ", and [[ lˈævɹɑːf ]] ends it. " + " ".join(["word"] * 90) + "."

    chunks = list(speech_chunks(text))

    assert all(len(chunk) <= MAX_CHUNK_CHARS for chunk in chunks)
    assert " ".join(chunks).split() == text.split()
    assert any(chunk.endswith("goes on,") for chunk in chunks)
    assert sum(chunk.count("[[") for chunk in chunks) == sum(chunk.count("]]") for chunk in chunks) == 1
    assert all(chunk.count("[[") == chunk.count("]]") for chunk in chunks)
