"""Whose address is this? One answer for every way in by email alone (a confirmation link, a sign-in code).

allauth's own lookup (`filter_users_by_email`) also returns an account that holds the address only
unverified, and signing in verifies it there: anyone could add a stranger's address to their account,
or sign up with it, and wait for the stranger to press a link or ask for a code. So an address is an
account's own only when it is verified there, or is the primary address of an account without a
password (an imported reader's, never verified), or is the address of an account made without
allauth's address rows.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model


def owner_of_address(email: str):  # -> User | None
    """The account `email` belongs to by the rule above, or None."""
    verified = EmailAddress.objects.filter(email__iexact=email, verified=True).select_related("user").first()
    if verified is not None:
        return verified.user
    for primary in EmailAddress.objects.filter(email__iexact=email, primary=True).select_related("user"):
        if not primary.user.has_usable_password():
            return primary.user
    return get_user_model().objects.filter(email__iexact=email, emailaddress__isnull=True).order_by("pk").first()


def may_reset_password(user, email: str) -> bool:
    """Whether a password reset sent to `email` may open `user`'s account.

    The address's owner's, by the rule above; when it has none, also an account whose primary address it
    is, unconfirmed (someone signed up with it and a password): the address's holder takes that account
    over, which is allauth's way in for the real owner. Never an account that merely added it.
    """
    owner = owner_of_address(email)
    if owner is not None:
        return owner == user
    return EmailAddress.objects.filter(user=user, email__iexact=email, primary=True).exists()
