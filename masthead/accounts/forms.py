"""Readers' account forms: allauth's, for readers (sign-up, and the sign-in code by email)."""

from __future__ import annotations

from allauth.account.forms import RequestLoginCodeForm, SignupForm
from allauth.account.models import EmailAddress
from django import forms

from masthead.access.entitlements import entitlements_for

# RFC 5321's limit, and the width of the user table's email column.
MAX_EMAIL_LENGTH = 254


class ReaderSignupForm(SignupForm):
    def clean_email(self):
        email = super().clean_email()
        if len(email) > MAX_EMAIL_LENGTH:
            # allauth would cut it to fit, and the confirmation would go to an address nobody has.
            raise forms.ValidationError(f"An email address has at most {MAX_EMAIL_LENGTH} characters.")
        return email


class ReaderLoginCodeForm(RequestLoginCodeForm):
    """allauth's "email me a sign-in code", for readers, to an address that is their own.

    Staff and editors sign in with their password. Either refusal is answered as for an address with
    no account (no code is sent), so the form tells nobody who is staff or which addresses are held.
    """

    def clean_email(self):
        email = super().clean_email()
        user = getattr(self, "_user", None)
        if user is not None and (entitlements_for(user).staff or not holds_address(user, email)):
            self._user = None
        return email


def holds_address(user, email: str) -> bool:
    """Whether `email` is `user`'s own to sign in with by a code: verified, or the primary address of an
    account without a password (an imported reader's), or the address of an account without allauth's
    address rows. allauth alone also signs in to an account holding the address unverified, and verifies
    it there: anyone could add a stranger's address to their account, or sign up with it, and wait for
    the stranger to ask for a code."""
    addresses = EmailAddress.objects.filter(user=user)
    if not addresses.exists():
        return user.email.lower() == email.lower()
    address = addresses.filter(email__iexact=email).first()
    if address is None:
        return False
    return address.verified or (address.primary and not user.has_usable_password())
