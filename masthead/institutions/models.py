"""Institutional subscriptions: a library, a school or a company buys access for its readers.

Staff set one up with a period, a number of seats and how its readers are recognised:
- by address: anyone whose requests come from one of its IP ranges reads as a subscriber, signed in
  or not, and takes no seat (a site licence, as libraries buy them);
- by email: a reader who verifies an address at one of its domains, or an invited address, joins it
  and takes a seat while seats are left (`services.join`).
Whether a reader may read is still decided in one place, `access.entitlements_for`.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils import timezone

from masthead.institutions.networks import parse_networks


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def parse_domains(text: str) -> list[str]:
    domains = []
    for number, line in enumerate(lines(text), start=1):
        domain = line.lower().removeprefix("@")
        if "." not in domain or any(not part or not part.replace("-", "").isalnum() for part in domain.split(".")):
            raise ValueError(f"line {number}: {line!r} is not a domain (write it as library.example.edu)")
        domains.append(domain)
    return domains


def parse_emails(text: str) -> list[str]:
    emails = []
    for number, line in enumerate(lines(text), start=1):
        try:
            validate_email(line)
        except ValidationError:
            raise ValueError(f"line {number}: {line!r} is not an email address") from None
        emails.append(line.lower())
    return emails


class Institution(models.Model):
    name = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="The last day of access.")
    seats = models.PositiveIntegerField(
        help_text="How many readers may join by email domain or invitation. Readers recognised by address take none."
    )
    networks = models.TextField(
        blank=True,
        help_text="IP ranges, one per line (IPv4 or IPv6, CIDR): 192.0.2.0/24, 2001:db8::/32. "
        "Behind a proxy, set TRUSTED_PROXY_COUNT or readers' addresses cannot be known.",
    )
    email_domains = models.TextField(
        blank=True, help_text="One per line, e.g. library.example.edu: a reader who verifies an address there joins."
    )
    invited_emails = models.TextField(
        blank=True, help_text="One per line: each is emailed an invitation when saved, and joins on verifying it."
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="institutions_contacted",
        help_text="The institution's own admin: sees seat use on their account page.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        for field, parse in (("networks", parse_networks), ("email_domains", parse_domains)):
            try:
                parse(getattr(self, field))
            except ValueError as error:
                errors[field] = str(error)
        try:
            parse_emails(self.invited_emails)
        except ValueError as error:
            errors["invited_emails"] = str(error)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The last day of access comes before the first."
        if errors:
            raise ValidationError(errors)

    @property
    def access_starts(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.starts_on, datetime.time.min))

    @property
    def access_ends(self) -> datetime.datetime:
        """The moment access ends: the start of the day after the last one, in the magazine's time zone."""
        day_after = self.ends_on + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day_after, datetime.time.min))

    def is_current(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.access_starts <= now < self.access_ends

    def domain_list(self) -> list[str]:
        return parse_domains(self.email_domains)

    def invited_list(self) -> list[str]:
        return parse_emails(self.invited_emails)


class Membership(models.Model):
    """A reader holding one of an institution's seats."""

    BY_DOMAIN, BY_INVITATION = "domain", "invitation"

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="memberships")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    joined_by = models.CharField(max_length=20, choices=[(BY_DOMAIN, "Email domain"), (BY_INVITATION, "Invitation")])
    email = models.EmailField(help_text="The verified address, or the invited one, it joined with.")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "reader"], name="one_seat_per_reader"),
            # One mailbox, one seat: an address verified again on another account takes no second one.
            models.UniqueConstraint(fields=["institution", "email"], name="one_seat_per_address"),
        ]

    def __str__(self) -> str:
        return f"{self.email} at {self.institution}"


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["institution", "email"], name="one_invitation_per_address")]

    def __str__(self) -> str:
        return f"{self.email} to {self.institution}"
