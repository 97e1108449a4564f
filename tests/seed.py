"""The publisher's page in shared/seed, which the issue takes as the magazine site's spec."""

from pathlib import Path

from django.conf import settings

SHARED_DIR = Path(settings.BASE_DIR).parent / "shared"
SEED_FILE = SHARED_DIR / "seed" / "000_d555b713710f6780.txt"
SEED_TITLE = "China Boasts of Closer Ties With Russia After Envoy's Moscow Visit"
SEED_URL = "/foreign-affairs/china-boasts-of-closer-ties-with-russia-after-envoys-moscow-visit/"
SEED_CREDIT = "Oleksii Liskonih/iStock/Getty Images Plus"
# The first words of each of the seed's three web pages.
SEED_PAGE_OPENINGS = [
    "China said on February 4 that mutual political trust with Russia",
    "The Chinese side rejected this accusation.",
    "Conversely, Russia requires a market for its own exports",
]
