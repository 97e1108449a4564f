"""In real Chromium, against localstripe: a subscriber changes card to one whose bank asks for 3-D Secure.

The page loads localstripe's stand-in Stripe.js from STRIPE_JS_URL under our Content-Security-Policy;
its card field takes the number, confirmCardSetup meets the bank's check (localstripe's modal), and
the form sends only the SetupIntent's id, which the server reads back from localstripe.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from masthead.subscriptions.models import GatewayCustomer, SubscriptionEvent
from tests.browser import conftest as browser
from tests.stripe.conftest import VISA, card

# Real Chromium from the browser tests' fixtures, here beside localstripe's.
chromium_browser = browser.chromium_browser
browser_page = browser.browser_page

pytestmark = pytest.mark.browser

ASKS_FOR_3DS = "4000002500003155"


@pytest.fixture
def sam(transactional_db, django_db_serialized_rollback, make_user, stripe_settings, localstripe_url):
    """Sam pays monthly through Stripe with a Visa ending 4242; the site loads localstripe's Stripe.js."""
    from masthead.subscriptions.models import Plan
    from masthead.subscriptions.services import do_subscribe

    stripe_settings.STRIPE_PUBLISHABLE_KEY = "pk_test_masthead"
    stripe_settings.STRIPE_JS_URL = f"{localstripe_url}/js.stripe.com/v3/"
    user = make_user("sam", first_name="Sam", last_name="Subscriber")
    do_subscribe(reader=user, plan=Plan.objects.get(slug="digital-monthly"), card=card(VISA), checkout_token="t-1")
    return user


def log_in(page, user, base_url: str) -> None:
    """The browser carries a session made for `user`, as if they had logged in."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )


def test_a_subscriber_changes_card_passing_their_banks_3d_secure_check(sam, browser_page, site_url):
    page = browser_page
    log_in(page, sam, site_url)
    page.goto("/account/")
    page.get_by_role("link", name="Change card").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your card")

    page.get_by_placeholder("number").fill(ASKS_FOR_3DS)
    page.get_by_placeholder("exp_month").fill("12")
    page.get_by_placeholder("exp_year").fill("34")
    page.get_by_placeholder("cvc").fill("123")
    page.get_by_placeholder("postal_code").fill("11201")
    page.get_by_role("button", name="Save card").click()
    page.get_by_role("button", name="Complete authentication").click()  # the bank's 3-D Secure check

    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.get_by_role("status")).to_contain_text("Your Visa card ending 3155 is saved")
    expect(page.locator("dl.facts")).to_contain_text("Visa ending 3155")
    kept = GatewayCustomer.objects.get(reader=sam)
    assert kept.card_last4 == "3155"
    assert SubscriptionEvent.objects.filter(kind="card_changed", detail__last4="3155").count() == 1


def test_failing_the_banks_check_keeps_the_old_card_and_says_so(sam, browser_page, site_url):
    page = browser_page
    log_in(page, sam, site_url)
    page.goto("/account/card/")

    page.get_by_placeholder("number").fill(ASKS_FOR_3DS)
    page.get_by_placeholder("exp_month").fill("12")
    page.get_by_placeholder("exp_year").fill("34")
    page.get_by_placeholder("cvc").fill("123")
    page.get_by_role("button", name="Save card").click()
    page.get_by_role("button", name="Fail authentication").click()

    expect(page.get_by_role("alert").filter(has_text="authentication failed")).to_contain_text(
        "Your card was not changed."
    )
    expect(page.get_by_role("button", name="Save card")).to_be_enabled()
    assert GatewayCustomer.objects.get(reader=sam).card_last4 == "4242"
