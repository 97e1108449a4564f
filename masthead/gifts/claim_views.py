"""The claim door: the emailed link, /gifts/claim/<token>/, works once.

A signed-in reader claims it for their account. A recipient whose email has an account logs in
(allauth's login, coming back here). A recipient without one sets a password here: the link came
to their address, so the account is made with that address confirmed, signed in, and the gift
claimed in one step. The door is rate-limited per address (settings.RATE_LIMITS) and the token,
32 random bytes, is the only key.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from masthead.core.email_owners import owner_of_address
from masthead.gifts.forms import NewRecipientForm
from masthead.gifts.models import Gift
from masthead.gifts.services.claims import ALREADY_CLAIMED, REFUNDED, claim_gift, gift_for_token
from masthead.gifts.services.errors import GiftNotClaimable
from masthead.subscriptions.forms import AddressForm
from masthead.subscriptions.queries import live_subscription
from masthead.subscriptions.services.gifts import days_on_reader_plan

LOGIN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def account_exists(email: str) -> bool:
    """Whether the recipient logs in to claim, rather than making an account: the address's owner
    (core/email_owners.py), or an account whose primary address it is, which its holder can take over
    by a password reset. An address merely added, unverified, to someone else's account is no account
    of the recipient's: sent to log in there, she would find no way in."""
    if owner_of_address(email) is not None:
        return True
    return EmailAddress.objects.filter(email__iexact=email, primary=True).exists()


def gone(request, why: str):
    return render(request, "gifts/claim_gone.html", {"why": why}, status=410)


@never_cache
@require_http_methods(["GET", "POST"])
def claim(request, token: str):
    gift = gift_for_token(token)
    if gift is None:
        return render(request, "gifts/claim_gone.html", {"why": "We cannot find this gift."}, status=404)
    if gift.claimed_at:
        if request.user.is_authenticated and gift.recipient_id == request.user.pk:
            return redirect("account")
        return gone(request, ALREADY_CLAIMED)
    if gift.refund_started_at:
        return gone(request, REFUNDED)
    posted = request.POST if request.method == "POST" else None
    address_form = AddressForm(posted, prefix="address", initial=gift.address) if gift.plan.includes_print else None
    new_account = None
    if not request.user.is_authenticated and not account_exists(gift.recipient_email):
        new_account = NewRecipientForm(posted, email=gift.recipient_email)
    if posted is not None and (address_form is None or address_form.is_valid()):
        address = address_form.address() if address_form else None
        if request.user.is_authenticated:
            return claimed(request, gift, request.user, address)
        if new_account is not None and new_account.is_valid():
            reader = make_recipient_account(gift.recipient_email, gift.recipient_name, new_account)
            if reader is None:
                messages.error(request, "An account with this email was just made; please log in to claim your gift.")
                return redirect(login_url(gift))
            login(request, reader, backend=LOGIN_BACKEND)
            return claimed(request, gift, reader, address)
    context = {"gift": gift, "address_form": address_form, "new_account": new_account, "login_url": login_url(gift)}
    return render(request, "gifts/claim.html", context | worth_on_own_plan(request.user, gift))


def worth_on_own_plan(reader, gift: Gift) -> dict:
    """For a reader whose own plan is worth more a month (print, for a digital gift): the days the gift adds to it."""
    subscription = live_subscription(reader)
    if subscription is None:
        return {}
    start = max(subscription.current_period_end, timezone.now())
    days = days_on_reader_plan(subscription.plan, gift.plan, months=gift.months, start=start)
    return {"own_plan": subscription.plan, "days_on_own_plan": days} if days else {}


def login_url(gift: Gift) -> str:
    return reverse("account_login") + "?" + urlencode({"next": reverse("gifts:claim", args=[gift.claim_token])})


def make_recipient_account(email: str, name: str, form: NewRecipientForm):
    """A new reader with the address the link was sent to, confirmed by their following it; None if it exists now."""
    User = get_user_model()
    first, _, last = name.partition(" ")
    try:
        with transaction.atomic():
            if account_exists(email):
                return None
            reader = User(username=email[:150], email=email, first_name=first[:150], last_name=last[:150])
            reader.set_password(form.cleaned_data["password1"])
            reader.save()
            EmailAddress.objects.create(user=reader, email=email, verified=True, primary=True)
    except IntegrityError:
        return None  # the same username, made a moment ago
    return reader


def claimed(request, gift: Gift, reader, address):
    try:
        gift = claim_gift(gift.pk, reader, address=address)
    except GiftNotClaimable as refused:
        return gone(request, str(refused))
    subscription = gift.subscription
    until = f"{subscription.current_period_end:%B %-d, %Y}"
    messages.success(request, f"Your gift is yours: {subscription.plan.name} until {until}. Enjoy reading!")
    return redirect("account")
