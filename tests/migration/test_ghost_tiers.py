"""Ghost's tiers, offers and comments: a tier's prices are matched to our plans, the rest is reported by record.

exports/ghost-6-lexical.json holds Ghost 6's `products` (Free; Supporter at 9.00 a month and 90.00 a year, the
price of our digital plans; Patron at 25.00 and 250.00, which no plan of ours has; an archived tier), two posts
for tiers (`posts_products`: one for the free tier only, one for Supporter and Patron), offers (two active, one
archived) and redemptions. exports/wordpress.xml holds comments on the ferry post (two approved, a pingback,
spam). Ghost's export holds no comments at all.
"""

from __future__ import annotations

import pytest

from tests.migration.conftest import EXPORTS, run_import
from tests.migration.test_wordpress_import import WXR
from tests.reading import main_text

GHOST_6 = EXPORTS / "ghost-6-lexical.json"
LETTERS_URL = "/culture/letters-to-the-keeper/"
ACCOUNTS_URL = "/culture/the-keepers-accounts/"
SUPPORTER = "tier 68c9a1f0c2b1a40001c39002 “Supporter”"
PATRON = "tier 68c9a1f0c2b1a40001c39003 “Patron”"
PAYWALL = "The rest of this article is for subscribers"


def line_of_id(record_id: str) -> int:
    """The line of the export where the record's "id" is, as the publisher's editor numbers it."""
    return [line.strip() for line in GHOST_6.read_text().split("\n")].index(f'"id": "{record_id}",') + 1


@pytest.fixture
def imported(sections):
    return run_import("import_ghost", GHOST_6, "--members-posts-free")


def test_each_paid_tier_price_is_matched_to_our_plan_or_named_with_its_line(imported):
    assert "note: 1 × Ghost tier “Supporter”, monthly at $9.00, is our plan digital-monthly" in imported
    assert "note: 1 × Ghost tier “Supporter”, yearly at $90.00, is our plan digital-yearly" in imported
    patron = f"{PATRON} (line {line_of_id('68c9a1f0c2b1a40001c39003')})"
    assert (
        f"{patron}: its monthly price, $25.00, is no plan of ours: make one in Plans (month, 2500 USD) "
        "before importing its members (skipped)"
    ) in imported
    assert f"{patron}: its yearly price, $250.00, is no plan of ours" in imported
    assert "tier prices: 2 unchanged, 2 skipped" in imported
    assert "note: 1 × archived Ghost tiers left out" in imported
    assert "Free" not in imported.split("Problems")[-1]  # the free tier is readers, not a price


def test_offers_are_reported_with_their_terms_and_redemptions_and_none_is_made(imported):
    from masthead.subscriptions.models import Offer

    lighthouse = f"offer 68c9a1f0c2b1a40001c38001 “Lighthouse Day” (line {line_of_id('68c9a1f0c2b1a40001c38001')})"
    assert (
        f"{lighthouse}: the offer code lighthouse: 30% off Supporter yearly, for 3 months is not imported "
        "(redeemed 2 times): if readers still have its code, make it in Subscribers → Offer codes (skipped)"
    ) in imported
    assert "the offer code keeper-trial: 14 days free Patron monthly is not imported (redeemed 0 times)" in imported
    assert "spring24" not in imported and "note: 1 × archived Ghost offers left out" in imported
    assert "offers: 2 skipped" in imported
    assert not Offer.objects.filter(code__in=["lighthouse", "keeper-trial"]).exists()


def test_a_post_for_ghosts_free_tier_only_is_a_members_post_and_one_for_paid_tiers_is_for_subscribers(
    imported, anonymous
):
    # --members-posts-free: Ghost's members (its free tier) read free here.
    assert PAYWALL not in main_text(anonymous.get(LETTERS_URL))
    assert PAYWALL in main_text(anonymous.get(ACCOUNTS_URL))


def test_by_default_a_free_tier_post_is_for_subscribers_like_ghosts_members_posts(sections, anonymous):
    run_import("import_ghost", GHOST_6)

    assert PAYWALL in main_text(anonymous.get(LETTERS_URL))


def test_wordpress_comments_are_counted_as_not_imported(sections):
    output = run_import("import_wordpress", WXR, "--default-section", "culture")

    assert "note: 2 × WordPress comments not imported (approved ones, on 1 posts)" in output
