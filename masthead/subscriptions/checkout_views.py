"""Buying a subscription, and confirming a payment the reader's bank asks about (3-D Secure).

Sandbox: our own card form; when the bank asks (its 3-D Secure test cards), the reader goes to the
sandbox's bank page (`sandbox_bank`), which sends them back to `checkout_confirm`.
Stripe: Stripe.js draws the card field; checkout.js asks `checkout_card_setup` for a SetupIntent,
confirms it with the card (3-D Secure if the bank asks) and sends the form with the SetupIntent's
id only. When the bank asks about the first payment too, this page comes back holding the
PaymentIntent's secret; checkout.js confirms it in place, and `checkout_confirm` records what the
bank said. A renewal the bank holds for the reader is confirmed from the emailed link,
`/account/confirm-payment/` (`confirm_renewal`), the same way.
Views stay thin: every write is a service (`services.checkout`, `services.authentication`).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from masthead.subscriptions.forms import AddressForm, CardForm, CardSetupForm, new_checkout_token
from masthead.subscriptions.gateways import CardDeclined, GatewayError, get_gateway
from masthead.subscriptions.gateways.sandbox import SandboxGateway
from masthead.subscriptions.models import Checkout, Offer, Payment, Plan, format_money, normalise_code
from masthead.subscriptions.queries import live_subscription, offered_plans
from masthead.subscriptions.services import (
    AlreadySubscribed,
    AuthenticationRequired,
    ChargeNotConfirmed,
    CheckoutInProgress,
    CheckoutTokenUsed,
    Door,
    OfferUnavailable,
    begin_card_setup,
    begin_renewal_authentication,
    check_offer,
    check_offer_open,
    checkout_key,
    complete_renewal_authentication,
    do_subscribe,
    door_from,
    find_offer,
    offer_terms,
    payment_awaiting_authentication,
    settle_authenticated_charge,
    settle_checkout,
    started_by,
)

UNREACHABLE = (
    "We could not reach the payment service just now, so your subscription has not started. "
    "Please try again in a moment: you will not be charged twice."
)


# The offer code a reader applied (at /subscribe/offer/, the one rate-limited door where codes are looked up).
OFFER_SESSION_KEY = "offer_code"
# The last door the reader came to /subscribe/ through: {"name": "paywall", "article": 12}.
DOOR_SESSION_KEY = "subscribe_door"


def keep_door(request, door: Door | None) -> None:
    """Remember the door a link named (the last one wins); a link that names none leaves the one before."""
    if door is not None:
        request.session[DOOR_SESSION_KEY] = {"name": door.name, "article": door.article_id}


def session_door(request) -> Door | None:
    kept = request.session.get(DOOR_SESSION_KEY) or {}
    return door_from(kept.get("name"), kept.get("article"))


def plans(request):
    keep_door(request, door_from(request.GET.get("from"), request.GET.get("article")))
    offer = session_offer(request)
    plans = list(offered_plans())
    for plan in plans:
        plan.offer_terms = offer_terms(offer, plan) if offer and offer_open_for(offer, plan, request.user) else ""
    return render(
        request,
        "subscriptions/plans.html",
        {"plans": plans, "offer": offer, "subscription": live_subscription(request.user)},
    )


def offer_open_for(offer: Offer, plan: Plan, reader) -> bool:
    try:
        check_offer(offer, plan, reader)
    except OfferUnavailable:
        return False
    return True


def session_offer(request) -> Offer | None:
    code = request.session.get(OFFER_SESSION_KEY)
    return Offer.objects.filter(code=code).first() if code else None


def offer_for_checkout(request, plan: Plan) -> tuple[Offer | None, str]:
    """The applied offer if the reader may use it for `plan` now, else why not."""
    offer = session_offer(request)
    if offer is None:
        return None, ""
    try:
        return check_offer(offer, plan, request.user), ""
    except OfferUnavailable as refused:
        return None, str(refused)


def posted_offer(request) -> Offer | None:
    """The offer the checkout form was shown with: the session's, which the form names.

    Codes are looked up only at the rate-limited door (`apply_offer`); a form naming another code
    than the session's (another tab, or a guess sent by hand) is refused, charging nothing.
    """
    offer = session_offer(request)
    if normalise_code(request.POST.get("offer_code", "")) != (offer.code if offer else ""):
        raise OfferUnavailable("The offer on this page has changed since it was shown.")
    return offer


@require_http_methods(["GET", "POST"])
def apply_offer(request):
    """/subscribe/offer/: apply a code (a form, or a link such as /subscribe/offer/?code=SPRING25), or remove it.

    It is kept in the session and the reader goes back to the plan's checkout, or to the plans,
    which show its terms. The code's problems are said in plain words.
    """
    data = request.POST if request.method == "POST" else request.GET
    plan = Plan.objects.filter(slug=data.get("plan", "")[:50], is_active=True).first()
    back = redirect("checkout", plan.slug) if plan else redirect("subscribe")
    code = data.get("code", "")
    if "remove" in data or not code.strip():
        request.session.pop(OFFER_SESSION_KEY, None)
        return back
    try:
        offer = find_offer(code)
        if plan:
            check_offer(offer, plan, request.user)
        else:
            check_offer_open(offer)
    except OfferUnavailable as refused:
        messages.error(request, str(refused))
        return back
    request.session[OFFER_SESSION_KEY] = offer.code
    if request.method == "GET":
        # A link carrying a code is the offer door; a code typed into the form keeps the door the reader came by.
        keep_door(request, Door("offer"))
    messages.success(request, f"Offer {offer.code} applied.")
    return back


def uses_stripe_js() -> bool:
    return settings.PAYMENT_GATEWAY == "stripe"


def card_form_for(request, token: str | None = None):
    """The card part of the checkout form: Stripe.js's SetupIntent id, or our own fields (sandbox).

    Raw numbers sent to the Stripe gateway still go through our fields (the gateway takes them only
    with a test key), so tests can buy without a browser.
    """
    data = request.POST if request.method == "POST" and token is None else None
    initial = {"checkout_token": token or new_checkout_token()}
    if uses_stripe_js() and "card_number" not in request.POST:
        return CardSetupForm(data, initial=initial)
    return CardForm(data, initial=initial)


def checkout_page(request, plan: Plan, card_form, address_form=None, **context) -> HttpResponse:
    stripe = {"key": settings.STRIPE_PUBLISHABLE_KEY, "js_url": settings.STRIPE_JS_URL} if uses_stripe_js() else None
    offer, offer_problem = offer_for_checkout(request, plan)
    first_charge = offer.first_charge(plan) if offer else plan.price_cents
    return render(
        request,
        "subscriptions/checkout.html",
        {
            "plan": plan,
            "card_form": card_form,
            "raw_card": isinstance(card_form, CardForm),
            "address_form": address_form,
            "stripe": stripe,
            "offer": offer,
            "offer_terms": offer_terms(offer, plan) if offer else "",
            "offer_problem": offer_problem,
            "first_charge": format_money(first_charge, plan.currency),
            **context,
        },
    )


@never_cache  # the page may carry a PaymentIntent's client secret
@login_required
def checkout(request, slug: str):
    plan = get_object_or_404(Plan, slug=slug, is_active=True)
    if live_subscription(request.user):
        # Pay pressed again after the first press had finished: answer as the first did.
        token = request.POST.get("checkout_token", "")[:64] if request.method == "POST" else ""
        started = token and started_by(checkout_key(request.user, token))
        if started:
            return checkout_answer(request, plan, token, lambda: started)
        messages.info(request, "You already have a subscription; you can change it here.")
        return redirect("account")
    card_form = card_form_for(request)
    address_form = AddressForm(request.POST or None, prefix="address") if plan.includes_print else None
    if request.method == "POST" and card_form.is_valid() and (address_form is None or address_form.is_valid()):
        token = card_form.cleaned_data["checkout_token"]
        return checkout_answer(
            request,
            plan,
            token,
            lambda: do_subscribe(
                reader=request.user,
                plan=plan,
                card=card_form.card(),
                checkout_token=token,
                address=address_form.address() if address_form else None,
                offer=posted_offer(request),
                door=session_door(request),
            ),
            card_form=card_form,
            address_form=address_form,
        )
    return checkout_page(request, plan, card_form, address_form)


@never_cache
@login_required
def checkout_confirm(request, slug: str):
    """Where the reader lands once their bank has answered (Stripe.js in the page, or the sandbox's bank page)."""
    plan = get_object_or_404(Plan, slug=slug)
    token = request.POST.get("checkout_token") or request.GET.get("checkout_token") or ""
    checkout = (
        Checkout.objects.select_related("reader", "plan", "subscription")
        .filter(idempotency_key=checkout_key(request.user, token[:64]), plan=plan)
        .first()
    )
    if checkout is None:
        raise Http404("No such checkout.")
    return checkout_answer(request, plan, token, lambda: settle_checkout(checkout))


def checkout_answer(request, plan: Plan, token: str, attempt, *, card_form=None, address_form=None) -> HttpResponse:
    """Run a checkout step and show the reader how it went: their account, their bank, or the form again."""
    try:
        subscription = attempt()
    except AuthenticationRequired as asked:
        return ask_the_bank(request, plan, token, asked)
    except CardDeclined as declined:
        # A new attempt, a new key: the next card is not this declined one's retry.
        card_form = card_form_for(request, new_checkout_token())
        card_form.problem = decline_words(declined)
    except (CheckoutTokenUsed, ChargeNotConfirmed) as refused:
        card_form = card_form_for(request, new_checkout_token())
        card_form.problem = str(refused)
    except OfferUnavailable as refused:
        # The code ended or was used up while the page was open: nothing was charged; the page shows the full price.
        request.session.pop(OFFER_SESSION_KEY, None)
        card_form = card_form_for(request, new_checkout_token())
        card_form.problem = f"{refused} Nothing was charged; you can pay the full price below."
    except GatewayError:
        # The form keeps its checkout token: trying again repeats the same charge, never a second one.
        card_form = card_form or card_form_for(request, token)
        card_form.problem = UNREACHABLE
    except AlreadySubscribed:
        messages.info(request, "You already have a subscription.")
        return redirect("account")
    except CheckoutInProgress as waiting:
        # The first click is still with the payment service; the account page shows how it ends.
        messages.info(request, str(waiting))
        return redirect("account")
    else:
        request.session.pop(DOOR_SESSION_KEY, None)  # a door brings one subscription: the next starts afresh
        if subscription.is_live:
            messages.success(request, f"Welcome! Your {subscription.plan.name} subscription is active.")
        else:
            # The form was sent again after what it paid for had ended (e.g. refunded).
            messages.info(request, "This payment was made before; your account shows what became of it.")
        return redirect("account")
    if address_form is None and plan.includes_print:
        address_form = AddressForm(prefix="address")
    return checkout_page(request, plan, card_form, address_form)


def decline_words(declined: CardDeclined) -> str:
    if declined.code == "authentication_failed":
        return f"{declined.message} Nothing was charged. You can try again, or use another card."
    if declined.code == "card_missing":
        return declined.message
    return f"{declined.message} Nothing was charged. Try another card."


def ask_the_bank(request, plan: Plan, token: str, asked: AuthenticationRequired) -> HttpResponse:
    """Send the reader to their bank's page (sandbox), or come back holding the secret Stripe.js confirms with."""
    confirm_url = reverse("checkout_confirm", args=[plan.slug]) + "?" + urlencode({"checkout_token": token})
    bank_page = get_gateway().authentication_url(action_secret=asked.action_secret, return_url=confirm_url)
    if bank_page:
        return redirect(bank_page)
    charge = asked.checkout
    return checkout_page(
        request,
        plan,
        card_form_for(request, token),
        payment_secret=asked.action_secret,
        checkout_token=token,
        # What the bank is asked about: this checkout's charge, whatever offer the session holds now.
        **({"first_charge": format_money(charge.amount_cents, charge.currency)} if charge else {}),
    )


@login_required
@require_POST
def checkout_card_setup(request, slug: str):
    """For checkout.js: a SetupIntent to confirm with the card, or what to do instead (JSON)."""
    if not uses_stripe_js():
        raise Http404("The sandbox takes its test cards in our own form.")
    plan = get_object_or_404(Plan, slug=slug, is_active=True)
    token = request.POST.get("checkout_token", "")[:64]
    address_form = AddressForm(request.POST, prefix="address") if plan.includes_print else None
    if not token or (address_form is not None and not address_form.is_valid()):
        # The page sends the form as it is, and shows what is missing.
        return JsonResponse({"submit": True})
    try:
        setup = begin_card_setup(
            reader=request.user,
            plan=plan,
            checkout_token=token,
            offer=posted_offer(request),
            door=session_door(request),
        )
    except (AlreadySubscribed, CheckoutInProgress) as answered:
        messages.info(request, str(answered))
        return JsonResponse({"redirect": reverse("account")})
    except OfferUnavailable:
        # The form is sent as it is, and the page says what became of the code (nothing is charged).
        return JsonResponse({"submit": True})
    except CheckoutTokenUsed as refused:
        return JsonResponse({"error": str(refused), "checkout_token": new_checkout_token()})
    except GatewayError:
        return JsonResponse({"error": UNREACHABLE})
    # None: the checkout has its card already, or has ended; the form is sent and says which.
    return JsonResponse({"client_secret": setup.client_secret if setup else None})


def sandbox_bank(request, ref: str):
    """The sandbox's stand-in for a bank's 3-D Secure page: confirm or fail a charge, then back to the shop.

    As it answers it tells the ledger at once, as Stripe's webhook would (`settle_authenticated_charge`),
    so a reader who closes the tab after confirming is still subscribed.
    """
    gateway = SandboxGateway()
    charge = gateway.authentication_request(ref)
    if charge is None:
        raise Http404("No such payment to confirm.")
    back = request.GET.get("return", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("account")
    if request.method == "POST":
        gateway.authenticate(ref, confirmed=request.POST.get("answer") == "confirm")
        settle_authenticated_charge(gateway.name, f"sandbox_ch_{charge.pk}", gateway=gateway)
        return redirect(back)
    if not charge.awaiting_authentication:
        return redirect(back)  # answered already: the shop's page says how it went
    return render(
        request,
        "subscriptions/sandbox_bank.html",
        {
            "charge": charge,
            "amount": format_money(charge.amount_cents, charge.currency.upper()),
            "card": gateway.card_of(charge),
        },
    )


# -- a renewal the reader's bank holds for them ----------------------------------------------------


def renewal_page(request, payment: Payment | None, **context) -> HttpResponse:
    stripe = {"key": settings.STRIPE_PUBLISHABLE_KEY, "js_url": settings.STRIPE_JS_URL} if uses_stripe_js() else None
    subscription = payment.subscription if payment else live_subscription(request.user)
    return render(
        request,
        "subscriptions/confirm_payment.html",
        {"payment": payment, "subscription": subscription, "stripe": stripe, **context},
    )


@never_cache
@login_required
def confirm_renewal(request):
    """/account/confirm-payment/, the emailed link: the renewal the bank holds, how much and for which period."""
    payment = payment_awaiting_authentication(request.user)
    if request.method != "POST" or payment is None:
        return renewal_page(request, payment)
    try:
        outcome = begin_renewal_authentication(payment)
    except AuthenticationRequired as asked:
        done = reverse("confirm_renewal_done") + "?" + urlencode({"payment": payment.pk})
        bank_page = get_gateway(payment.subscription.gateway).authentication_url(
            action_secret=asked.action_secret, return_url=done
        )
        if bank_page:
            return redirect(bank_page)
        return renewal_page(request, payment, payment_secret=asked.action_secret)
    except GatewayError:
        return renewal_page(
            request, payment, problem="We could not reach the payment service just now. Please try again."
        )
    return renewal_answer(request, payment, outcome)


@never_cache
@login_required
def confirm_renewal_done(request):
    """Where the reader lands once their bank has answered about a renewal."""
    payment_id = request.POST.get("payment") or request.GET.get("payment") or ""
    if not payment_id.isdigit():
        raise Http404("No such payment.")
    payment = get_object_or_404(
        Payment.objects.select_related("subscription__plan"), pk=int(payment_id), subscription__reader=request.user
    )
    try:
        outcome = complete_renewal_authentication(payment.pk)
    except GatewayError:
        return renewal_page(
            request, payment, problem="We could not reach the payment service just now. Please try again."
        )
    return renewal_answer(request, payment, outcome)


def renewal_answer(request, payment: Payment, outcome: str) -> HttpResponse:
    payment.refresh_from_db()
    subscription = payment.subscription
    subscription.refresh_from_db()
    if outcome in ("renewed", "already_recorded") and payment.status == Payment.SUCCEEDED and subscription.is_live:
        until = date_format(localtime(subscription.current_period_end), "F j, Y")
        messages.success(
            request, f"Thank you: your payment of {payment.amount} went through. Your subscription runs until {until}."
        )
        return redirect("account")
    if outcome == "voided":
        messages.info(
            request,
            f"Your bank confirmed the payment of {payment.amount}, but your subscription had ended meanwhile, "
            "so it has been given back to you in full.",
        )
        return redirect("account")
    if outcome == "not_confirmed":
        problem = "Your bank did not confirm the payment, so nothing was charged."
        return renewal_page(request, payment_awaiting_authentication(request.user), problem=problem)
    if outcome == "waiting":
        problem = "Your bank is still waiting for you to confirm the payment."
        return renewal_page(request, payment_awaiting_authentication(request.user), problem=problem)
    return redirect("account")
