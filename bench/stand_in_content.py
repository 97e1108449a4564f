"""Bench-only stand-in for `manage.py load_demo`: the seed article plus a few hundred generated ones.

web.sh uses it only when the load_demo command does not exist, so the benchmark can run on a
checkout that predates the demo loader. Idempotent: a second run finds the articles and stops.
Run as `DATA_DIR=... .venv/bin/python bench/stand_in_content.py`.
"""

import datetime
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from masthead.content.models import ArticlePage, SectionPage  # noqa: E402
from masthead.content.services import create_or_update_article  # noqa: E402

SEED = Path(settings.BASE_DIR).parent / "shared" / "seed" / "000_d555b713710f6780.txt"
ARTICLES = 320
AUTHORS = [
    "Angeline Tan", "Maria Okafor", "Daniel Brooks", "Hannah Weiss", "Samuel Ortega", "Priya Raman",
    "Thomas Keller", "Grace Mwangi", "Oliver Grant", "Lena Novak", "Marcus Hale", "Sofia Lindqvist",
]
SUBJECTS = ["The council", "A new report", "Ministers", "The central bank", "Farmers", "Researchers",
            "Voters", "The committee", "Local officials", "Investors", "Engineers", "Historians"]
VERBS = ["questioned", "defended", "revisited", "examined", "postponed", "welcomed", "challenged", "outlined"]
OBJECTS = ["the plan for the coming year", "a long-delayed reform", "the price of energy", "the trade agreement",
           "the future of the high street", "a quiet shift in policy", "the costs of the new rules",
           "the record of the last decade", "the case for caution", "the limits of the budget"]
TAILS = ["after weeks of debate.", "despite strong objections.", "as the deadline approached.",
         "in a statement on Tuesday.", "to the surprise of many observers.", "with little fanfare."]


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}"


def paragraph(rng: random.Random) -> str:
    return "<p>" + " ".join(sentence(rng) for _ in range(rng.randint(3, 6))) + "</p>"


def main() -> None:
    if not ArticlePage.objects.filter(slug="china-boasts-of-closer-ties-with-russia-after-envoys-moscow-visit").exists():
        call_command("import_articles", SEED, "--section", "foreign-affairs")
    existing = ArticlePage.objects.count()
    sections = list(SectionPage.objects.order_by("path"))
    rng = random.Random(2023)
    start = datetime.date(2023, 3, 1)
    for number in range(existing, ARTICLES + 1):
        title = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}".capitalize()
        pages = [[paragraph(rng) for _ in range(rng.randint(4, 9))] for _ in range(3 if number % 7 == 0 else 1)]
        create_or_update_article(
            section=sections[number % len(sections)],
            slug=f"bench-article-{number}",
            title=title,
            author_names=[AUTHORS[number % len(AUTHORS)]],
            date=start + datetime.timedelta(days=(number * 2) % 700),
            standfirst=sentence(rng),
            pages=pages,
            hero_credit=f"{rng.choice(AUTHORS)}/Masthead" if number % 3 == 0 else "",
        )
        if number % 50 == 0:
            print(f"  {number} articles", flush=True)


if __name__ == "__main__":
    main()
