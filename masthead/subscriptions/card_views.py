"""Changing the card renewals charge, from /account/card/: Stripe.js with a SetupIntent, or the sandbox's form.

With Stripe the card never reaches us: the page opens a SetupIntent for the reader's customer,
Stripe.js confirms it in the browser (3-D Secure when the bank asks) and sends back only its id,
which `finish_card_change` checks with Stripe. The sandbox takes its test numbers in our own form.
Either way a past-due subscription is retried at once on the new card.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.views.decorators.cache import never_cache

from masthead.subscriptions.forms import CardForm
from masthead.subscriptions.gateways import CardDeclined, GatewayError
from masthead.subscriptions.models import Subscription
from masthead.subscriptions.services import (
    CardChange,
    NoCardToChange,
    card_subscription,
    do_change_card,
    finish_card_change,
    start_card_change,
)

UNREACHABLE = "We could not reach the payment service just now, so your card was not changed. Please try again."


class NewCardForm(CardForm):
    """The sandbox's test-card fields, without checkout's token: saving a card charges nothing by itself."""

    checkout_token = None


class ConfirmedSetupForm(forms.Form):
    """What Stripe.js sends back once the browser has confirmed the SetupIntent: its id, nothing of the card."""

    setup_intent = forms.CharField(max_length=120)


@never_cache  # the page carries the SetupIntent's client secret
@login_required
def change_card(request):
    try:
        subscription = card_subscription(request.user)
    except NoCardToChange as refusal:
        messages.info(request, str(refusal))
        return redirect("account")
    if subscription.gateway == "stripe":
        return change_card_with_stripe(request, subscription)
    return change_card_in_our_form(request, subscription)


def change_card_in_our_form(request, subscription: Subscription):
    form = NewCardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change = do_change_card(request.user, form.card())
        except CardDeclined as declined:
            form = NewCardForm()
            form.decline_message = declined.message
        except GatewayError:
            form.gateway_unreachable = True
        else:
            report(request, change)
            return redirect("account")
    return render(request, "subscriptions/change_card.html", {"subscription": subscription, "form": form})


def change_card_with_stripe(request, subscription: Subscription):
    problem = ""
    if request.method == "POST":
        form = ConfirmedSetupForm(request.POST)
        if not form.is_valid():
            problem = "Please enter your card and press Save card."
        else:
            try:
                change = finish_card_change(request.user, form.cleaned_data["setup_intent"])
            except CardDeclined as declined:
                problem = declined.message
            except GatewayError:
                problem = UNREACHABLE
            else:
                report(request, change)
                return redirect("account")
    try:
        setup = start_card_change(request.user)
    except GatewayError:
        messages.error(request, UNREACHABLE)
        return redirect("account")
    context = {
        "subscription": subscription,
        "setup": setup,
        "stripe_key": settings.STRIPE_PUBLISHABLE_KEY,
        "stripe_js_url": settings.STRIPE_JS_URL,
        "problem": problem,
    }
    return render(request, "subscriptions/change_card.html", context)


def report(request, change: CardChange) -> None:
    """Tell the reader what changing the card did, the overdue payment included."""
    card = f"{change.brand} card ending {change.last4}"
    if not change.changed:
        messages.info(request, f"Your {card} is already the one we charge.")
        return
    subscription = change.subscription
    payment = subscription.payments.order_by("-created_at", "-pk").first()
    if change.retry == "renewed":
        messages.success(
            request, f"Your {card} is saved, and your overdue payment of {payment.amount} went through. Thank you!"
        )
    elif change.retry == "failed" and subscription.awaits_authentication():
        messages.error(
            request,
            f"Your {card} is saved, but your bank wants you to confirm the overdue payment of {payment.amount} "
            "before it goes through. Please follow the link in the email we send you.",
        )
    elif change.retry == "failed":
        retry_day = date_format(localtime(subscription.next_retry_at), "F j, Y")
        messages.error(
            request,
            f"Your {card} is saved, but the overdue payment of {payment.amount} was declined: "
            f"{payment.failure_message or 'your card was declined.'} We will try again on {retry_day}; "
            "you keep your access meanwhile.",
        )
    elif change.retry == "ended":
        messages.error(
            request,
            f"Your {card} is saved, but the overdue payment was declined on our last try, so your subscription "
            "has ended. You can subscribe again at any time.",
        )
    elif change.retry == "gateway_error":
        messages.warning(
            request,
            f"Your {card} is saved. We could not reach the payment service to take the overdue payment; "
            "we will try again shortly, and charge it once.",
        )
    else:
        messages.success(request, f"Your {card} is saved: we will charge it from your next renewal.")
