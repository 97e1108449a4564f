"""Demo articles as text: headlines, standfirsts and bodies composed from the banks, with no database.

Each article draws from its own `random.Random`, seeded by its number, so the demo is the same on
every machine and a smaller demo is the start of the full one (its slugs are the full demo's first).
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.text import slugify

from masthead.content.blocks import HEADING, IMAGE, PAGE_BREAK, PARAGRAPH, PULL_QUOTE
from masthead.demo import banks

SEED = "masthead-demo"
MULTI_PAGE_EVERY = 6  # one article in each run of six is a long read over 2 or 3 web pages
# The shape of a long article; shorter ones keep the lede and the outlook and a selection between.
ARC = [
    "background", "quote", "data", "detail", "background", "quote",
    "counter", "detail", "data", "quote", "detail", "counter",
]  # fmt: skip


@dataclass
class PictureSpec:
    """A picture to generate: the loader turns it into a CreditedImage."""

    seed: str
    title: str
    alt_text: str
    credit: str
    caption: str = ""
    size: tuple[int, int] = (1200, 675)


@dataclass
class ArticleDraft:
    """One demo article, ready for `create_or_update_article` once its pictures exist."""

    index: int
    section: str
    slug: str
    title: str
    standfirst: str
    author_names: list[str]
    hero: PictureSpec
    # StreamField data; an image block's "image" holds a PictureSpec until the loader saves it.
    body: list[dict] = field(default_factory=list)

    @property
    def subscribers_only(self) -> bool:
        """Every third article is exclusive subscriber content, so the demo shows the paywall."""
        return self.index % 3 == 2

    @property
    def page_count(self) -> int:
        return 1 + sum(block["type"] == PAGE_BREAK for block in self.body)

    @property
    def pictures(self) -> list[PictureSpec]:
        return [self.hero] + [block["value"]["image"] for block in self.body if block["type"] == "image"]


class Deck:
    """Draws items in random order without repeats until all are used, then reshuffles."""

    def __init__(self, rng: random.Random, items: list):
        self.rng, self.items, self.pile = rng, list(items), []

    def draw(self):
        if not self.pile:
            self.pile = self.rng.sample(self.items, len(self.items))
        return self.pile.pop()


class Slots(dict):
    """Template values: every text slot also answers capitalised ({Topic}); numbers are fresh per sentence."""

    def __init__(self, rng: random.Random, values: Mapping[str, str]):
        super().__init__(values)
        self.rng = rng
        for key, value in values.items():
            self[key[0].upper() + key[1:]] = value[:1].upper() + value[1:]

    def render(self, template: str, **extra: str) -> str:
        values = dict(self, **fresh_numbers(self.rng), **extra)
        for key, value in extra.items():
            values[key[0].upper() + key[1:]] = value[:1].upper() + value[1:]
        return template.format_map(values)


def fresh_numbers(rng: random.Random) -> dict[str, str]:
    """Numbers for one sentence, consistent with each other (pct_lo < pct < pct_hi)."""
    pct = rng.randint(21, 64)
    return {
        "num": rng.choice(banks.NUMBER_WORDS),
        "pct": str(pct),
        "pct_lo": str(rng.randint(3, 19)),
        "pct_hi": str(pct + rng.randint(5, 22)),
        "rate": f"{rng.randint(21, 69) / 10:.1f}",
        "money": f"${rng.randint(12, 95) / 10:.1f} billion",
        "money_m": f"${rng.randint(8, 240)} million",
        "bignum": f"{rng.randint(12, 480) * 100:,}",
        "hundreds": str(rng.randint(120, 480)),
        "weekday": rng.choice(banks.WEEKDAYS),
        "period": rng.choice(banks.PERIODS),
    }


def typeset(text: str) -> str:
    """Typographic apostrophes, and *italics* markers dropped, for plain-text fields."""
    return text.replace("'", "’").replace("*", "")


def paragraph_html(text: str) -> str:
    """A paragraph of our own text as rich-text HTML: escaped, with *italics*."""
    html = escape(text.replace("'", "’"))
    return "<p>" + re.sub(r"\*([^*]+)\*", r"<i>\1</i>", html) + "</p>"


def byline_for(section: str, rng: random.Random) -> list[str]:
    """One writer on the section's beat, now and then with a colleague."""
    writers = [author["name"] for author in banks.AUTHORS if section in author["sections"]]
    names = [rng.choice(writers)]
    if rng.random() < 0.12:
        names.append(rng.choice([name for name in writers if name not in names] or [names[0]]))
    return list(dict.fromkeys(names))


def photo_credit(rng: random.Random) -> str:
    return f"{rng.choice(banks.PHOTOGRAPHERS)}/{rng.choice(banks.AGENCIES)}"


class ArticleWriter:
    """Writes one article: its subject, people and numbers are chosen once, so the text hangs together."""

    def __init__(self, rng: random.Random, section: str, magazine: str):
        self.rng, self.bank = rng, banks.SECTIONS[section]
        bank = self.bank
        topic, short, head, stake = rng.choice(bank["topics"])
        (actor, actor_head), (rival, rival_head) = rng.sample(bank["actors"], 2)
        place, place_head = rng.choice(bank["places"])
        group, group_head = rng.choice(bank["groups"])
        self.slots = Slots(
            rng,
            {
                "topic": topic,
                "short": short,
                "head": head,
                "stake": stake,
                "actor": actor,
                "actor_head": actor_head,
                "rival": rival,
                "rival_head": rival_head,
                "place": place,
                "place_head": place_head,
                "group": group,
                "group_head": group_head,
                "magazine": magazine,
            },
        )
        first_names = rng.sample(banks.FIRST_NAMES, 3)
        last_names = rng.sample(banks.LAST_NAMES, 3)
        self.sources = [
            {"person": f"{first} {last}", "last": last, "role": role}
            for first, last, role in zip(first_names, last_names, rng.sample(bank["roles"], 3), strict=True)
        ]
        self.decks = {
            "context": Deck(rng, banks.CONTEXT),
            "background": Deck(rng, banks.BACKGROUND),
            "quote_follow": Deck(rng, banks.QUOTE_FOLLOW),
            "counter": Deck(rng, banks.COUNTER),
            "outlook": Deck(rng, banks.OUTLOOK),
            "data": Deck(rng, bank["data"]),
            "detail": Deck(rng, bank["detail"]),
            "quotes": Deck(rng, bank["quotes"] + banks.GENERIC_QUOTES),
            "frames": Deck(rng, banks.QUOTE_FRAMES),
            "headings": Deck(rng, bank["headings"] + banks.HEADINGS),
            "captions": Deck(rng, bank["captions"]),
        }
        self.quotes_used: list[tuple[str, dict]] = []

    def draw(self, deck: str, count: int = 1) -> list[str]:
        return [self.slots.render(self.decks[deck].draw()) for _ in range(count)]

    def headline(self) -> str:
        return typeset(self.slots.render(self.rng.choice(banks.HEADLINES + self.bank["headlines"])))

    def standfirst(self) -> str:
        return typeset(self.slots.render(self.rng.choice(banks.STANDFIRSTS + self.bank["standfirsts"])))

    def picture(self, seed: str, title: str) -> PictureSpec:
        caption, scene = self.decks["captions"].draw()
        return PictureSpec(
            seed=seed,
            title=title[:255],
            caption=typeset(self.slots.render(caption)),
            alt_text=banks.ALT_TEXT.format(scene=scene),
            credit=photo_credit(self.rng),
        )

    def paragraph(self, move: str, quote_number: int) -> str:
        rng = self.rng
        if move == "lede":
            verb = rng.choice(self.bank["lede_verbs"])
            tail = self.slots.render(rng.choice(banks.LEDE_TAILS))
            sentences = [self.slots.render("{Actor} {verb} {topic} on {weekday}, {tail}.", verb=verb, tail=tail)]
            sentences += self.draw("context", rng.randint(1, 2))
        elif move == "quote":
            source = self.sources[quote_number % len(self.sources)]
            quote = self.slots.render(self.decks["quotes"].draw())
            self.quotes_used.append((quote, source))
            quote_comma = quote[:-1] + "," if quote.endswith(".") else quote
            frame = self.decks["frames"].draw()
            sentences = [self.slots.render(frame, quote=quote, quote_comma=quote_comma, **source)]
            follow = self.decks["quote_follow"].draw()
            sentences.append(self.slots.render(follow, **source))
        elif move in ("background", "data", "detail"):
            sentences = self.draw(move, rng.randint(2, 3))
        else:  # counter, outlook
            sentences = self.draw(move, 2)
        return " ".join(sentences)

    def body(self, slug: str, title: str, paragraph_count: int, page_count: int) -> list[dict]:
        """StreamField blocks: paragraphs, with some sub-headings, a pull quote, pictures and page breaks."""
        rng = self.rng
        middle = sorted({1} | set(rng.sample(range(len(ARC)), paragraph_count - 3)))
        while len(middle) < paragraph_count - 2:
            middle = sorted(set(middle) | {rng.randrange(len(ARC))})
        moves = ["lede"] + [ARC[position] for position in middle] + ["outlook"]
        paragraphs = []
        for move in moves:
            paragraphs.append(self.paragraph(move, sum(m == "quote" for m in moves[: len(paragraphs)])))

        # Where the extras go: before paragraph i (headings, page breaks) or after it (quote, pictures).
        page_starts = {round(paragraph_count * page / page_count) for page in range(1, page_count)}
        headings_before = {start for start in page_starts if rng.random() < 0.7}
        if paragraph_count >= 7 and rng.random() < 0.4:
            headings_before |= set(rng.sample(range(3, paragraph_count - 1), rng.randint(1, 2)))
        pull_quote_after = rng.randrange(2, paragraph_count - 2) if paragraph_count >= 6 and rng.random() < 0.35 else -1
        pictures_after = set()
        if paragraph_count >= 6 and rng.random() < 0.3:
            pictures_after = {rng.randrange(1, paragraph_count - 2) for _ in range(page_count)}

        blocks: list[dict] = []
        for number, text in enumerate(paragraphs):
            if number in page_starts:
                blocks.append({"type": PAGE_BREAK, "value": None})
            if number in headings_before:
                blocks.append({"type": HEADING, "value": typeset(self.draw("headings")[0])})
            blocks.append({"type": PARAGRAPH, "value": paragraph_html(text)})
            if number == pull_quote_after and self.quotes_used:
                quote, source = rng.choice(self.quotes_used)
                blocks.append(
                    {
                        "type": PULL_QUOTE,
                        "value": {
                            "quote": typeset(quote),
                            "attribution": typeset(f"{source['person']}, {source['role']}"),
                        },
                    }
                )
            if number in pictures_after:
                picture = self.picture(seed=f"{slug}-inline-{number}", title=f"{title} (picture {number})")
                blocks.append({"type": IMAGE, "value": {"image": picture, "caption": picture.caption}})
        return blocks


def draft_article(index: int, section: str, multi_page: bool, magazine: str, taken: set[str]) -> ArticleDraft:
    """The article numbered `index`; its slug is not in `taken`."""
    rng = random.Random(f"{SEED}:article:{index}")
    for _attempt in range(20):
        writer = ArticleWriter(rng, section, magazine)
        title = writer.headline()
        slug = slugify(title)[:255]
        if slug not in taken:
            break
    else:
        slug = f"{slug[:240]}-{index}"
    page_count = rng.choice([2, 2, 3]) if multi_page else 1
    paragraph_count = rng.randint(10, 14) if multi_page else rng.randint(5, 12)
    if page_count == 3:
        paragraph_count = max(paragraph_count, 12)
    hero = writer.picture(seed=f"{slug}-hero", title=title)
    return ArticleDraft(
        index=index,
        section=section,
        slug=slug,
        title=title,
        standfirst=writer.standfirst(),
        author_names=byline_for(section, rng),
        hero=hero,
        body=writer.body(slug, title, paragraph_count, page_count),
    )


def draft_articles(count: int, magazine: str) -> list[ArticleDraft]:
    """The first `count` demo articles, spread evenly over the sections, one in six a multi-page read."""
    drafts: list[ArticleDraft] = []
    taken: set[str] = set()
    for index in range(count):
        run = random.Random(f"{SEED}:run:{index // MULTI_PAGE_EVERY}")
        sections = run.sample(banks.SECTION_SLUGS, len(banks.SECTION_SLUGS))
        long_read = run.randrange(MULTI_PAGE_EVERY)
        draft = draft_article(
            index, sections[index % MULTI_PAGE_EVERY], index % MULTI_PAGE_EVERY == long_read, magazine, taken
        )
        taken.add(draft.slug)
        drafts.append(draft)
    return drafts


def author_portrait(name: str, magazine: str) -> PictureSpec:
    rng = random.Random(f"{SEED}:portrait:{name}")
    return PictureSpec(
        seed=f"portrait-{slugify(name)}",
        title=f"Portrait: {name}",
        alt_text=f"Placeholder portrait of {name}: soft colour bands and white circles",
        credit=f"{rng.choice(banks.PHOTOGRAPHERS)}/{magazine}",
        size=(600, 600),
    )


def cover_picture(label: str, seed: str, magazine: str) -> PictureSpec:
    """The generated cover of the issue described by `label` (e.g. "November 15, 2026")."""
    rng = random.Random(f"{SEED}:cover:{seed}")
    return PictureSpec(
        seed=f"cover-{seed}",
        title=f"Cover: {label}",
        alt_text=f"Cover of the issue of {label}: placeholder illustration of soft colour bands and white circles",
        credit=f"Cover illustration: {rng.choice(banks.PHOTOGRAPHERS)}/{magazine}",
        size=(900, 1200),
    )


def issue_theme(section: str, seed: str) -> str:
    """Half the issues carry a theme, taken from the section of their lead article."""
    rng = random.Random(f"{SEED}:theme:{seed}")
    return rng.choice(banks.SECTIONS[section]["themes"]) if rng.random() < 0.5 else ""
