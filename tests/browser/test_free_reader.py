"""A visitor becomes a free reader in real Chromium: the paywall box's sign-up, the emailed link, then
signed in and counted by the meter, as on Substack or Ghost. Mail goes through a real SMTP server.

Vera has no account; the magazine lets readers without a subscription read one subscriber article a month.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from masthead.access.models import PaywallSettings
from masthead.content.models import SectionPage
from masthead.content.services import create_or_update_article
from masthead.core.page_cache import clear_page_cache
from tests.seed import SEED_PAGE_SENTENCES, SEED_URL

pytestmark = pytest.mark.browser

VERA = "vera@example.org"
SECOND_URL = "/politics/budget-talks-stall/"
SECOND_GATED_SENTENCE = "Negotiators met again on Monday without agreement on spending."


@pytest.fixture
def metered_magazine(gated_seed):
    """The seed article and a second one, both for subscribers, with a meter of one article a month."""
    create_or_update_article(
        section=SectionPage.objects.get(slug="politics"),
        slug="budget-talks-stall",
        title="Budget Talks Stall as the Deadline Nears",
        author_names=["Maria Okafor"],
        date=datetime.date(2023, 2, 20),
        standfirst="No agreement yet.",
        access_level="subscribers",
        pages=[["<p>The first page's paragraph is the teaser.</p>"], [f"<p>{SECOND_GATED_SENTENCE}</p>"]],
    )
    paywall = PaywallSettings.load()
    paywall.meter_enabled, paywall.meter_limit = True, 1
    paywall.save()
    clear_page_cache()


@pytest.fixture
def mail_to_the_live_site(smtp_server, settings, site_url):
    """The tests' SMTP server, the emails' links pointing at the live site."""
    settings.SITE_URL = site_url
    return smtp_server


def confirmation_link(smtp_server) -> str:
    [received] = smtp_server.to(VERA)
    text = received.message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://\S+/newsletters/confirm/\S+/", text).group(0)


def test_a_visitor_signs_up_free_from_the_paywall_box_and_reads_one_subscriber_article_signed_in(
    metered_magazine, mail_to_the_live_site, browser_page
):
    page = browser_page
    page.goto(SEED_URL + "3/")
    paywall = page.locator(".paywall-offer")
    expect(paywall).to_contain_text("The rest of this article is for subscribers")
    expect(page.locator(".article-body")).not_to_contain_text(SEED_PAGE_SENTENCES[2])

    paywall.get_by_label("Not ready to subscribe? Get the free weekly digest").fill(VERA)
    paywall.get_by_role("button", name="Sign up free").click()
    expect(page.locator("main")).to_contain_text(f"If {VERA} can receive our newsletters, a confirmation email")

    page.goto(confirmation_link(mail_to_the_live_site))
    page.get_by_role("button", name="Confirm my sign-up").click()
    expect(page.locator("main")).to_contain_text("You are signed in")

    page.goto("/account/")
    expect(page.locator("main")).to_contain_text(f"Signed in as {VERA}")
    expect(page.get_by_role("link", name="Set a password")).to_be_visible()

    page.goto(SEED_URL + "3/")
    expect(page.locator(".article-body")).to_contain_text(SEED_PAGE_SENTENCES[2])
    expect(page.locator(".paywall-offer")).to_have_count(0)

    page.goto(SECOND_URL + "2/")
    used_up = "You have read your free subscriber articles for this month."
    expect(page.locator(".paywall-offer")).to_contain_text(used_up)
    expect(page.locator(".paywall-offer .newsletter-signup")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(SECOND_GATED_SENTENCE)
