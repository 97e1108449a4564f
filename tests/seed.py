"""Our own three-page article in the publisher's export format (tests/fixtures/seed), standing in for its pages.

It has what the publisher's exported pages have: a byline on each web page, a photo credit, an
escaped dollar amount, a publication name in italics, and the old site's subscribe box at the end.
"""

from pathlib import Path

from django.conf import settings

SEED_DIR = Path(settings.BASE_DIR) / "tests" / "fixtures" / "seed"
SEED_FILE = SEED_DIR / "001_nordic_grid.txt"
SEED_TITLE = "Nordic Ministers Pledge Deeper Grid Ties After Envoy's Oslo Visit"
SEED_URL = "/foreign-affairs/nordic-ministers-pledge-deeper-grid-ties-after-envoys-oslo-visit/"
SEED_ALL_PAGES = SEED_URL + "all/"  # the whole article on one page
SEED_CREDIT = "Oskar Holm/Nordlys Photo/Getty Images Plus"
SEED_AUTHOR = "Marta Lindqvist"
SEED_BYLINE = "Written by Marta Lindqvist on February 7, 2023"
# The first words of each of the article's three web pages.
SEED_PAGE_OPENINGS = [
    "Finland said on February 4 that trust between the Nordic grid operators",
    "The Norwegian side rejected this suggestion.",
    "Conversely, Norway requires a market for its own surplus hydropower",
]
# One sentence from each web page, for checks that look for text rather than openings.
SEED_PAGE_SENTENCES = [
    "met with Norwegian Energy Minister Henrik Solberg",
    "would never sell power its own homes need, still less profit from a neighbour's shortage",
    "Norway requires a market for its own surplus hydropower",
]
# A name that appears in the first page only, for search.
SEED_NAME = "Virtanen"
# A name that appears in the last page only (behind the paywall when the article is gated).
SEED_PAGE_3_NAME = "Halonen"
SEED_PAGE_3_SENTENCE = "Liisa Halonen of the University of Turku"
SEED_LAST_WORDS = "has published a book on the politics of shared grids."
