"""Readers' account forms: allauth's, for readers (sign-up, and the sign-in code by email)."""

from __future__ import annotations

from allauth.account.forms import RequestLoginCodeForm, SignupForm
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
    """allauth's "email me a sign-in code", for readers only: staff and editors sign in with their password."""

    def clean_email(self):
        email = super().clean_email()
        if getattr(self, "_user", None) is not None and entitlements_for(self._user).staff:
            # Answered as for an address with no account (no code is sent), so the form tells nobody who is staff.
            self._user = None
        return email
