"""Stored mailing lists: who each issue was mailed to, kept as the printer got it.

A list is drawn from the ledger at the issue's close and stored, so the next download matches the
first whatever readers do afterwards (move house, cancel, ask for a refund).
"""

from __future__ import annotations

from django.db import models

from masthead.subscriptions.addresses import country_name


class MailingList(models.Model):
    """An issue's print run as stored when the issue closed."""

    issue = models.OneToOneField("editions.Issue", on_delete=models.CASCADE, related_name="mailing_list")
    closes_at = models.DateTimeField(help_text="The moment the list is drawn for: the end of the issue's close date.")
    closed_at = models.DateTimeField(help_text="When the list was stored.")
    closed_by = models.CharField(max_length=200, help_text="system:<job> or staff:<email>")
    row_count = models.PositiveIntegerField(help_text="The print run: one copy per row.")
    missing_address_count = models.PositiveIntegerField(
        default=0, help_text="Print subscribers entitled at the close with no address in force then."
    )

    class Meta:
        ordering = ["-closes_at"]

    def __str__(self) -> str:
        return f"Mailing list for {self.issue}"


class MailingListRow(models.Model):
    """One copy to mail: the address in force at the close, in the printer's presort order."""

    mailing_list = models.ForeignKey(MailingList, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField(help_text="Order on the list: country, postal code, name.")
    subscription = models.ForeignKey("subscriptions.Subscription", on_delete=models.PROTECT, related_name="+")
    subscriber_reference = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2)

    class Meta:
        ordering = ["mailing_list", "position"]
        constraints = [
            models.UniqueConstraint(fields=["mailing_list", "position"], name="one_row_per_position"),
            models.UniqueConstraint(fields=["mailing_list", "subscription"], name="one_copy_per_subscription"),
        ]

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    def label_lines(self) -> list[str]:
        """The lines printed on the address label, as PostalAddress.lines() writes them."""
        city_line = " ".join(part for part in [self.city, self.region, self.postal_code] if part)
        return [line for line in [self.name, self.line1, self.line2, city_line, self.country_name] if line]
