"""Readers' account forms: allauth's, for readers (sign-up, and the sign-in code by email)."""

from __future__ import annotations

from allauth.account.forms import RequestLoginCodeForm, ResetPasswordForm, SignupForm
from django import forms

from masthead.access.entitlements import entitlements_for
from masthead.core.email_owners import may_reset_password, owner_of_address

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

    Staff and editors sign in with their password, and a code goes only to the address's owner
    (core/email_owners.py). Either refusal is answered as for an address with
    no account (no code is sent), so the form tells nobody who is staff or which addresses are held.
    """

    def clean_email(self):
        email = super().clean_email()
        user = getattr(self, "_user", None)
        if user is not None and (entitlements_for(user).staff or owner_of_address(email) != user):
            self._user = None
        return email


class ReaderResetPasswordForm(ResetPasswordForm):
    """allauth's password reset, sent only for an account the address may open (core/email_owners.py).

    allauth alone also resets an account that merely added the address, unverified: whoever added a
    stranger's address would have the stranger open (and verify the address in) their account.
    An address with no such account gets allauth's "no such account" email, as any unknown address does.
    """

    def clean_email(self):
        email = super().clean_email()
        self.users = [user for user in self.users if may_reset_password(user, email)]
        return email
