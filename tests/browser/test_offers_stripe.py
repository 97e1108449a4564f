"""Offer codes and free trials in real Chromium against localstripe: a discounted first payment, a trial's card kept
with Stripe.js (no charge), the trial converted off-session at its end, and a cancelled trial never charged."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from masthead.subscriptions.models import Offer, Subscription
from masthead.subscriptions.services import renew_subscription
from tests.browser import test_checkout_stripe as paying
from tests.browser.test_checkout_stripe import VISA, type_card

# Rita's logged-in tab on the live server, localstripe and its webhooks: the checkout tests' fixtures.
localstripe_url = paying.localstripe_url
stripe_settings = paying.stripe_settings
stripe_account = paying.stripe_account
rita = paying.rita
webhooks_to_the_site = paying.webhooks_to_the_site
page = paying.page
wait_for_webhook = paying.wait_for_webhook
site_at_rest = paying.site_at_rest

pytestmark = pytest.mark.browser


def offer(code: str, **terms) -> Offer:
    made = Offer(code=code, name="Browser test", **terms)
    made.full_clean()
    made.save()
    return made


def apply_code(page, code: str) -> None:
    page.goto("/subscribe/digital-monthly/")
    page.get_by_label("Offer code").fill(code)
    page.get_by_role("button", name="Apply").click()


def start_trial_in_the_browser(page) -> None:
    offer("TRYIT", kind=Offer.TRIAL, trial_days=14)
    apply_code(page, "tryit")
    expect(page.locator("[data-offer-terms]")).to_contain_text("14 days free, then $9.00 a month from")
    type_card(page, VISA)
    page.get_by_role("button", name="Start my free trial").click()
    expect(page).to_have_url(re.compile(r"/account/$"))


def test_rita_redeems_a_code_and_pays_the_discounted_first_month(
    site_at_rest, wait_for_webhook, page, rita, stripe_account
):
    offer("SPRING25", kind=Offer.PERCENT, percent_off=25, periods=3)

    apply_code(page, "spring25")
    expect(page.locator("[data-offer-terms]")).to_have_text(
        "SPRING25: 25% off your first 3 months: $6.75 a month, then $9.00 a month. "
        "Cancel anytime; your money back within 60 days of your first payment."
    )
    type_card(page, VISA)
    page.get_by_role("button", name="Pay $6.75").click()

    expect(page.get_by_text("Welcome! Your Digital, monthly subscription is active.")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("$6.75 with offer SPRING25")
    [intent] = stripe_account.payment_intents()
    assert (intent.status, intent.amount) == ("succeeded", 675)
    wait_for_webhook("payment_intent.succeeded")
    with site_at_rest():
        assert Subscription.objects.get(reader=rita).offer.code == "SPRING25"


def test_an_unknown_code_is_explained_and_the_full_price_stays(page, rita, stripe_account):
    apply_code(page, "NOSUCH")

    expect(page.get_by_text("We do not know the code NOSUCH. Please check it and try again.")).to_be_visible()
    expect(page.get_by_role("button", name="Pay $9.00")).to_be_visible()


def test_a_trial_keeps_the_card_charges_nothing_then_converts_at_its_end(site_at_rest, page, rita, stripe_account):
    start_trial_in_the_browser(page)

    expect(page.locator(".facts")).to_contain_text("Free trial until")
    expect(page.locator(".facts")).to_contain_text("Visa ending 4242")
    assert stripe_account.payment_intents() == []
    with site_at_rest():
        subscription = Subscription.objects.get(reader=rita)

    outcome = renew_subscription(subscription.pk, now=subscription.trial_ends_at + datetime.timedelta(minutes=5))

    assert outcome == "renewed"
    [intent] = stripe_account.payment_intents()
    assert (intent.status, intent.amount) == ("succeeded", 900)
    page.reload()
    expect(page.locator(".facts")).to_contain_text("Active")


def test_a_cancelled_trial_is_never_charged(site_at_rest, page, rita, stripe_account):
    start_trial_in_the_browser(page)

    page.get_by_role("link", name="Cancel my free trial").click()
    page.get_by_label("It costs too much").check()
    page.get_by_role("button", name="Yes, cancel my free trial").click()

    expect(page.get_by_text("Your free trial is cancelled: you will not be charged.")).to_be_visible()
    with site_at_rest():
        subscription = Subscription.objects.get(reader=rita)
    assert renew_subscription(subscription.pk, now=subscription.trial_ends_at) == "ended"
    assert stripe_account.payment_intents() == []
