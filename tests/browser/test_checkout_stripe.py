"""Paying with Stripe.js in real Chromium, against localstripe: its stand-in Stripe.js, its 3-D Secure dialog.

Nothing is mocked. The page loads localstripe's Stripe.js (settings.STRIPE_JS_URL), whose card field
sends the card to localstripe, never to us; its confirmCardSetup and confirmCardPayment open a 3-D
Secure dialog with "Complete authentication" and "Fail authentication". localstripe also sends its
webhooks to the live server, so a confirmed payment is heard twice, and recorded once.
"""

from __future__ import annotations

import re
import time
from contextlib import nullcontext

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from masthead.subscriptions.models import Checkout, Payment, Subscription, WebhookEvent
from masthead.subscriptions.services import renew_subscription
from tests.billing.pages import link_in
from tests.stripe import conftest as localstripe
from tests.stripe.conftest import WEBHOOK_SECRET, localstripe_request
from tests.stripe.stripe_js import confirm_card_payment, confirm_card_setup

pytestmark = pytest.mark.browser

# localstripe's fixtures, here too: a server for the session, emptied and configured before each test.
localstripe_url = localstripe.localstripe_url
stripe_settings = localstripe.stripe_settings
stripe_account = localstripe.stripe_account

VISA = "4242424242424242"
DECLINED = "4000000000000002"
ASKS_ALWAYS = "4000002760003184"  # localstripe's bank asks at every confirmation of this card
NOT_CONFIRMED = (
    "Your bank did not confirm the payment, so your subscription has not started. "
    "Nothing was charged. You can try again, or use another card."
)


@pytest.fixture
def rita(transactional_db, django_db_serialized_rollback):
    """Rita, a registered reader (the plans, made by a migration, come back after each test)."""
    return get_user_model().objects.create_user(username="rita", email="rita@example.com", password="x" * 12)


@pytest.fixture
def webhooks_to_the_site(site_url, localstripe_url):
    """localstripe sends its events to the live server's /webhooks/stripe/, as Stripe would; and stops after."""
    hook = {"url": f"{site_url}/webhooks/stripe/", "secret": WEBHOOK_SECRET}
    localstripe_request(localstripe_url, "POST", "/_config/webhooks/masthead", hook)
    yield
    localstripe_request(localstripe_url, "POST", "/_config/webhooks/masthead", {**hook, "events": ["none"]})


@pytest.fixture
def page(rita, stripe_settings, webhooks_to_the_site, browser_page, site_url):
    """Rita's browser tab, logged in."""
    client = Client()
    client.force_login(rita)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser_page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site_url}])
    return browser_page


def type_card(page, number: str, *, year: str = "34") -> None:
    """Type a card into the card field Stripe.js drew (localstripe's: number, month, year, code, postal code)."""
    page.get_by_placeholder("number").fill(number)
    page.get_by_placeholder("exp_month").fill("12")
    page.get_by_placeholder("exp_year").fill(year)
    page.get_by_placeholder("cvc").fill("123")
    page.get_by_placeholder("postal_code").fill("11201")


def card_errors(page):
    return page.locator("#card-errors[role=alert]")


@pytest.fixture
def site_at_rest(live_server):
    """`with site_at_rest():` around a read while localstripe's webhooks may still reach the site.

    The read waits between the live server's requests (SQLite in memory, tests/conftest.py
    `one_request_at_a_time`): a read in the middle of a webhook's transaction was refused
    ("database table is locked")."""
    return lambda: getattr(live_server, "between_requests", None) or nullcontext()


@pytest.fixture
def wait_for_webhook(site_at_rest):
    """`wait_for_webhook(event_type, count=1)`: until the site has handled `count` localstripe events of that type."""

    def wait(event_type: str, count: int = 1) -> None:
        deadline = time.monotonic() + 15
        while True:
            with site_at_rest():
                handled = WebhookEvent.objects.filter(event_type=event_type, processed_at__isnull=False).count()
            if handled >= count:
                return
            assert time.monotonic() < deadline, f"localstripe's {event_type} never reached the site"
            time.sleep(0.2)

    return wait


def test_rita_pays_with_the_card_field_stripe_draws_and_lands_subscribed(
    site_at_rest, wait_for_webhook, page, rita, stripe_account
):
    page.goto("/subscribe/digital-monthly/")
    expect(page.locator("input[name=card_number]")).to_have_count(0)
    type_card(page, VISA)
    page.get_by_role("button", name="Pay $9.00").click()

    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.get_by_text("Welcome! Your Digital, monthly subscription is active.")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("Active")
    expect(page.locator(".facts")).to_contain_text("Visa ending 4242")
    [intent] = stripe_account.payment_intents()
    assert (intent.status, intent.amount) == ("succeeded", 900)
    wait_for_webhook("payment_intent.succeeded")
    with site_at_rest():
        assert Payment.objects.filter(subscription__reader=rita).count() == 1


def test_rita_completes_3d_secure_in_the_page_and_is_subscribed_once(
    site_at_rest, wait_for_webhook, page, rita, stripe_account
):
    page.goto("/subscribe/digital-monthly/")
    type_card(page, ASKS_ALWAYS)
    page.get_by_role("button", name="Pay $9.00").click()

    # Her bank asks about the card as Stripe.js sets it up, then about the first payment.
    page.get_by_role("button", name="Complete authentication").click()
    expect(page.get_by_text("Your bank asks you to confirm this payment of $9.00.")).to_be_visible()
    with site_at_rest():
        assert not Subscription.objects.filter(reader=rita).exists()
    page.get_by_role("button", name="Complete authentication").click()

    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.get_by_text("Welcome! Your Digital, monthly subscription is active.")).to_be_visible()
    [intent] = stripe_account.payment_intents()
    assert intent.status == "succeeded"
    wait_for_webhook("payment_intent.succeeded")  # the webhook's news, after the page's: nothing more
    with site_at_rest():
        assert Subscription.objects.filter(reader=rita).count() == 1
    with site_at_rest():
        assert Payment.objects.get(subscription__reader=rita).gateway_charge_ref == intent.id


def test_when_rita_fails_3d_secure_she_is_told_so_and_nothing_is_charged(site_at_rest, page, rita, stripe_account):
    page.goto("/subscribe/digital-monthly/")
    type_card(page, ASKS_ALWAYS)
    page.get_by_role("button", name="Pay $9.00").click()
    page.get_by_role("button", name="Complete authentication").click()
    expect(page.get_by_text("Your bank asks you to confirm this payment of $9.00.")).to_be_visible()

    page.get_by_role("button", name="Fail authentication").click()

    expect(card_errors(page)).to_have_text(NOT_CONFIRMED)
    expect(page.get_by_role("button", name="Pay $9.00")).to_be_enabled()
    [intent] = stripe_account.payment_intents()
    assert (intent.status, intent.latest_charge) == ("canceled", None)
    with site_at_rest():
        assert not Subscription.objects.filter(reader=rita).exists()
    with site_at_rest():
        assert Checkout.objects.get(reader=rita).status == Checkout.DECLINED


def test_failing_3d_secure_for_the_card_itself_says_so_beside_the_field_and_makes_no_payment(
    site_at_rest, page, rita, stripe_account
):
    page.goto("/subscribe/digital-monthly/")
    type_card(page, ASKS_ALWAYS)
    page.get_by_role("button", name="Pay $9.00").click()

    page.get_by_role("button", name="Fail authentication").click()

    expect(card_errors(page)).to_contain_text("authentication failed")
    assert stripe_account.payment_intents() == []
    with site_at_rest():
        assert not Subscription.objects.filter(reader=rita).exists()


def test_a_declined_card_is_named_beside_the_field_and_another_card_pays_without_leaving_the_page(
    site_at_rest, page, rita, stripe_account
):
    page.goto("/subscribe/digital-monthly/")
    type_card(page, DECLINED)
    page.get_by_role("button", name="Pay $9.00").click()

    expect(card_errors(page)).to_have_text("Your card was declined.")
    assert stripe_account.payment_intents() == []
    expect(page).to_have_url(re.compile(r"/subscribe/digital-monthly/$"))

    type_card(page, VISA)
    page.get_by_role("button", name="Pay $9.00").click()
    expect(page.get_by_text("Welcome! Your Digital, monthly subscription is active.")).to_be_visible()
    with site_at_rest():
        assert Subscription.objects.filter(reader=rita).count() == 1


def test_an_incomplete_number_or_a_past_expiry_year_is_explained_beside_the_field(
    site_at_rest, page, rita, stripe_account
):
    page.goto("/subscribe/digital-monthly/")
    type_card(page, "42424242")
    page.get_by_role("button", name="Pay $9.00").click()
    expect(card_errors(page)).to_have_text("Please check your card number, expiry date and security code.")

    type_card(page, VISA, year="18")
    page.get_by_role("button", name="Pay $9.00").click()
    expect(card_errors(page)).to_have_text("Your card's expiry year is in the past or not valid.")

    assert stripe_account.payment_intents() == []
    with site_at_rest():
        assert not Subscription.objects.filter(reader=rita).exists()


def subscribe_without_a_browser(reader, localstripe_url) -> Subscription:
    """Rita's first payment, her bank asked and she confirmed, through the site as Stripe.js would."""
    client = Client()
    client.force_login(reader)
    form = client.get("/subscribe/digital-monthly/").content.decode()
    token = re.search(r'name="checkout_token" value="([^"]+)"', form).group(1)
    secret = client.post("/subscribe/digital-monthly/card/", {"checkout_token": token}).json()["client_secret"]
    setup = confirm_card_setup(localstripe_url, secret, ASKS_ALWAYS)
    waiting = client.post("/subscribe/digital-monthly/", {"checkout_token": token, "setup_intent": setup["id"]})
    payment_secret = re.search(r'data-payment-secret="([^"]+)"', waiting.content.decode()).group(1)
    confirm_card_payment(localstripe_url, payment_secret, authenticate=True)
    client.post("/subscribe/digital-monthly/confirm/", {"checkout_token": token})
    return Subscription.objects.get(reader=reader)


def test_a_renewal_her_bank_holds_is_completed_from_the_emailed_link(
    site_at_rest, wait_for_webhook, page, rita, localstripe_url, stripe_account
):
    subscription = subscribe_without_a_browser(rita, localstripe_url)
    mail.outbox.clear()
    assert renew_subscription(subscription.pk, now=subscription.current_period_end) == "failed"
    [email] = mail.outbox
    period = f"{subscription.current_period_end:%B %-d, %Y}"

    page.goto(link_in(email.body, "/account/confirm-payment/"))
    expect(page.locator(".facts")).to_contain_text("$9.00")
    expect(page.locator(".facts dd").nth(1)).to_contain_text(f"{period} to")
    page.get_by_role("button", name="Confirm the payment of $9.00").click()
    page.get_by_role("button", name="Complete authentication").click()

    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.get_by_text("Thank you: your payment of $9.00 went through.")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("Active")
    wait_for_webhook("payment_intent.succeeded", count=2)
    subscription.refresh_from_db()
    assert subscription.status == Subscription.ACTIVE
    with site_at_rest():
        assert Payment.objects.filter(subscription=subscription, status=Payment.SUCCEEDED).count() == 2
    assert [intent.status for intent in stripe_account.payment_intents()] == ["succeeded", "succeeded"]
