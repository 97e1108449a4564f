"""The gift form and the claim form; validation messages are for readers."""

from __future__ import annotations

import datetime

from allauth.account.adapter import get_adapter
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from masthead.gifts.models import TERMS
from masthead.gifts.pricing import EDITIONS, GiftOption, find_option
from masthead.gifts.services.delivery import magazine_today

LATEST_DELIVERY = datetime.timedelta(days=366)
MAX_EMAIL_LENGTH = 254  # RFC 5321's limit, and the width of the user table's email column


class GiftForm(forms.Form):
    edition = forms.ChoiceField(label="Edition", choices=EDITIONS, widget=forms.RadioSelect)
    months = forms.TypedChoiceField(
        label="Length", choices=[(m, f"{m} months") for m in TERMS], coerce=int, widget=forms.RadioSelect
    )
    recipient_name = forms.CharField(label="Their name", max_length=200)
    recipient_email = forms.EmailField(label="Their email", max_length=MAX_EMAIL_LENGTH)
    message = forms.CharField(
        label="A message for them (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
    )
    deliver_on = forms.DateField(
        label="Email it to them on", widget=forms.DateInput(attrs={"type": "date"}), help_text="Today or a later day."
    )

    def __init__(self, *args, anonymous: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deliver_on"].initial = magazine_today(timezone.now())
        if anonymous:
            # The receipt goes here, and the gift is kept in the account with this email (made if there is none).
            self.fields["giver_email"] = forms.EmailField(
                label="Your email, for the receipt",
                max_length=MAX_EMAIL_LENGTH,
                help_text="Your gifts are kept in the account with this address; we make one if there is none.",
            )

    def clean_deliver_on(self):
        day = self.cleaned_data["deliver_on"]
        today = magazine_today(timezone.now())
        if day < today:
            raise forms.ValidationError("Choose today or a later day.")
        if day > today + LATEST_DELIVERY:
            raise forms.ValidationError("Choose a day within the next year.")
        return day

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("edition") and cleaned.get("months") and self.option() is None:
            raise forms.ValidationError("That gift is not on offer just now; please choose another.")
        return cleaned

    def option(self) -> GiftOption | None:
        return find_option(self.cleaned_data.get("edition", ""), self.cleaned_data.get("months") or 0)

    @property
    def wants_print(self) -> bool:
        return self.data.get("edition") == "print"


class NewRecipientForm(forms.Form):
    """A recipient with no account sets a password; the emailed link they followed proves the address is theirs."""

    password1 = forms.CharField(
        label="Choose a password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="The password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            try:
                get_adapter().clean_password(first, user=get_user_model()(email=self.email, username=self.email))
            except forms.ValidationError as problem:
                self.add_error("password1", problem)
        return cleaned
