"""Giving a subscription: the gift form, paying (sandbox card fields or Stripe.js), the giver's resend and refund.

The payment steps are the checkout's (subscriptions/checkout_views.py), through the same gateways
and the same checkout.js: a card setup Stripe.js confirms, the bank's 3-D Secure page or dialog,
then a confirm view that records what the bank said. Every page here is personal (a form token,
a CSRF token): `never_cache` keeps it out of the page cache. Views stay thin: writes are services.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from masthead.gifts.forms import GiftForm
from masthead.gifts.models import Gift
from masthead.gifts.pricing import gift_options
from masthead.gifts.services.delivery import resend_gift
from masthead.gifts.services.errors import GiftError, GiftPaymentInProgress, GiftTokenUsed
from masthead.gifts.services.purchase import (
    GiftOrder,
    begin_gift_card_setup,
    buy_gift,
    gift_key,
    giver_for,
    settle_gift_payment,
)
from masthead.gifts.services.refunds import refund_gift
from masthead.subscriptions.forms import AddressForm, CardForm, CardSetupForm, new_checkout_token
from masthead.subscriptions.gateways import CardDeclined, GatewayError, RefundRefused, get_gateway
from masthead.subscriptions.services import AuthenticationRequired, ChargeNotConfirmed

UNREACHABLE = (
    "We could not reach the payment service just now, so the gift has not been bought. "
    "Please try again in a moment: you will not be charged twice."
)
BOUGHT_SESSION_KEY = "gift_bought"


def uses_stripe_js() -> bool:
    return settings.PAYMENT_GATEWAY == "stripe"


def card_form_for(request, token: str | None = None):
    """The card part of the form: Stripe.js's SetupIntent id, or our own fields (sandbox, and tests' raw numbers)."""
    data = request.POST if request.method == "POST" and token is None else None
    initial = {"checkout_token": token or new_checkout_token()}
    if uses_stripe_js() and "card_number" not in request.POST:
        return CardSetupForm(data, initial=initial)
    return CardForm(data, initial=initial)


def forms_from(request):
    """The gift, card and address forms, bound to the POST; the address counts only for a print gift."""
    data = request.POST if request.method == "POST" else None
    gift_form = GiftForm(data, anonymous=not request.user.is_authenticated)
    address_form = AddressForm(data if gift_form.wants_print else None, prefix="address")
    return gift_form, address_form


def order_from(gift_form: GiftForm, address_form: AddressForm) -> GiftOrder:
    data = gift_form.cleaned_data
    option = gift_form.option()
    return GiftOrder(
        option=option,
        recipient_name=data["recipient_name"],
        recipient_email=data["recipient_email"],
        deliver_on=data["deliver_on"],
        message=data["message"],
        address=address_form.address() if option.plan.includes_print else None,
    )


def giver_of(request, gift_form: GiftForm):
    return request.user if request.user.is_authenticated else giver_for(gift_form.cleaned_data["giver_email"])


def gift_page(request, gift_form, card_form, address_form, **context) -> HttpResponse:
    stripe = {"key": settings.STRIPE_PUBLISHABLE_KEY, "js_url": settings.STRIPE_JS_URL} if uses_stripe_js() else None
    return render(
        request,
        "gifts/give.html",
        {
            "gift_form": gift_form,
            "card_form": card_form,
            "address_form": address_form,
            "raw_card": isinstance(card_form, CardForm),
            "stripe": stripe,
            "options": gift_options(),
            **context,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def give(request):
    """/gifts/: choose the gift, say who it is for and when, and pay once."""
    gift_form, address_form = forms_from(request)
    card_form = card_form_for(request)
    if request.method == "POST":
        valid = [gift_form.is_valid(), card_form.is_valid(), not gift_form.wants_print or address_form.is_valid()]
        if all(valid):
            token = card_form.cleaned_data["checkout_token"]
            giver, order = giver_of(request, gift_form), order_from(gift_form, address_form)
            return gift_answer(
                request,
                token,
                lambda: buy_gift(giver=giver, order=order, card=card_form.card(), token=token),
                gift_form=gift_form,
                address_form=address_form,
                card_form=card_form,
            )
    return gift_page(request, gift_form, card_form, address_form)


def gift_answer(request, token: str, attempt, *, gift_form=None, address_form=None, card_form=None) -> HttpResponse:
    """Run a payment step and show the giver how it went: thanks, their bank, or the form again."""
    try:
        gift = attempt()
    except AuthenticationRequired as asked:
        return ask_the_bank(request, token, asked, gift_form, address_form)
    except CardDeclined as declined:
        card_form = card_form_for(request, new_checkout_token())  # the next card is a new payment
        card_form.problem = (
            f"{declined.message} Nothing was charged." if declined.code != "card_missing" else declined.message
        )
    except (GiftTokenUsed, ChargeNotConfirmed) as refused:
        card_form = card_form_for(request, new_checkout_token())
        card_form.problem = str(refused)
    except GatewayError:
        card_form = card_form or card_form_for(request, token)  # the same token: trying again charges once
        card_form.problem = UNREACHABLE
    except GiftPaymentInProgress as waiting:
        messages.info(request, str(waiting))
        return redirect("account" if request.user.is_authenticated else "gifts:give")
    else:
        request.session[BOUGHT_SESSION_KEY] = gift.pk
        return redirect("gifts:thanks")
    if gift_form is None:
        gift_form, address_form = forms_from(request)
    return gift_page(request, gift_form, card_form, address_form)


def ask_the_bank(request, token: str, asked: AuthenticationRequired, gift_form, address_form) -> HttpResponse:
    """The sandbox's bank page, or this page again holding the secret Stripe.js confirms the payment with."""
    confirm_url = reverse("gifts:confirm") + "?" + urlencode({"gift_token": token})
    bank_page = get_gateway().authentication_url(action_secret=asked.action_secret, return_url=confirm_url)
    if bank_page:
        return redirect(bank_page)
    gift = Gift.objects.filter(idempotency_key=gift_key(token)).first()
    if gift_form is None:
        gift_form, address_form = forms_from(request)
    return gift_page(
        request,
        gift_form,
        card_form_for(request, token),
        address_form,
        payment_secret=asked.action_secret,
        gift_token=token,
        waiting_gift=gift,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request):
    """Where the giver lands once their bank has answered (Stripe.js in the page, or the sandbox's bank page)."""
    token = (request.POST.get("gift_token") or request.GET.get("gift_token") or "")[:64]
    gift = Gift.objects.select_related("plan", "giver").filter(idempotency_key=gift_key(token)).first()
    if not token or gift is None:
        raise Http404("No such gift.")
    return gift_answer(request, token, lambda: settle_gift_payment(gift))


@never_cache
@require_POST
def card_setup(request):
    """For checkout.js: a SetupIntent to confirm with the card, or what to do instead (JSON)."""
    if not uses_stripe_js():
        raise Http404("The sandbox takes its test cards in our own form.")
    gift_form, address_form = forms_from(request)
    token = request.POST.get("checkout_token", "")[:64]
    if not token or not gift_form.is_valid() or (gift_form.wants_print and not address_form.is_valid()):
        return JsonResponse({"submit": True})  # the form is sent as it is, and says what is missing
    try:
        setup = begin_gift_card_setup(
            giver=giver_of(request, gift_form), order=order_from(gift_form, address_form), token=token
        )
    except GiftPaymentInProgress:
        return JsonResponse({"submit": True})
    except GiftTokenUsed as refused:
        return JsonResponse({"error": str(refused), "checkout_token": new_checkout_token()})
    except GatewayError:
        return JsonResponse({"error": UNREACHABLE})
    return JsonResponse({"client_secret": setup.client_secret if setup else None})


@never_cache
def thanks(request):
    gift_id = request.session.get(BOUGHT_SESSION_KEY)
    gift = Gift.objects.select_related("plan", "giver").filter(pk=gift_id, payment_status=Gift.PAID).first()
    if gift is None:
        return redirect("gifts:give")
    return render(request, "gifts/thanks.html", {"gift": gift})


def givers_gift(request, gift_id: int) -> Gift:
    return get_object_or_404(Gift.objects.select_related("plan", "giver"), pk=gift_id, giver=request.user)


@login_required
@require_POST
def resend(request, gift_id: int):
    """The giver sends the recipient's email again (rate-limited, and once each few minutes per gift)."""
    gift = givers_gift(request, gift_id)
    try:
        resend_gift(gift, actor="giver")
    except GiftError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"We have emailed your gift to {gift.recipient_email} again.")
    return redirect(reverse("account") + "#gifts")


@login_required
@require_POST
def refund(request, gift_id: int):
    """The giver takes back an unclaimed gift within its 60 days: the money goes back to their card."""
    gift = givers_gift(request, gift_id)
    try:
        gift = refund_gift(gift.pk, actor="giver")
    except GiftError as refused:
        messages.error(request, str(refused))
    except RefundRefused as refused:
        messages.error(request, refused.message)
    except GatewayError:
        messages.error(request, "We could not reach the payment service just now. Please try again in a moment.")
    else:
        back = f"{gift.amount} is on its way back to your card."
        messages.success(request, f"Your gift {gift.number} has been refunded: {back}")
    return redirect(reverse("account") + "#gifts")
