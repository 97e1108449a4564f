"""The reader's sign-up form: allauth's, refusing what the account table cannot keep whole."""

from __future__ import annotations

from allauth.account.forms import SignupForm
from django import forms

# RFC 5321's limit, and the width of the user table's email column.
MAX_EMAIL_LENGTH = 254


class ReaderSignupForm(SignupForm):
    def clean_email(self):
        email = super().clean_email()
        if len(email) > MAX_EMAIL_LENGTH:
            # allauth would cut it to fit, and the confirmation would go to an address nobody has.
            raise forms.ValidationError(f"An email address has at most {MAX_EMAIL_LENGTH} characters.")
        return email
