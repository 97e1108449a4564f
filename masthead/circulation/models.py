"""Stored mailing lists: who each issue was mailed to, kept as the printer got it.

A list is drawn from the ledger at the issue's close and stored, so the next download matches the
first whatever readers do afterwards (move house, cancel, ask for a refund). Its printer's files
(CSV, label sheets) are rendered once from the stored rows and kept beside it.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import models, transaction

from masthead.subscriptions.addresses import country_name, label_lines_of


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
    postal_code = models.CharField(max_length=20, blank=True)  # some countries have none
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
        return label_lines_of(self)


class UnmailedSubscriber(models.Model):
    """A print subscriber entitled at the close with no address in force then: not mailed, for staff to chase."""

    mailing_list = models.ForeignKey(MailingList, on_delete=models.CASCADE, related_name="unmailed")
    subscription = models.ForeignKey("subscriptions.Subscription", on_delete=models.PROTECT, related_name="+")
    subscriber_reference = models.CharField(max_length=20)
    name = models.CharField(max_length=300, blank=True, help_text="The name on the reader's account at the close.")
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["mailing_list", "subscriber_reference"]
        constraints = [
            models.UniqueConstraint(fields=["mailing_list", "subscription"], name="unmailed_once_per_list"),
        ]


def printer_files_storage() -> Storage:
    """Where stored lists' files are kept: the default storage (on S3 a private bucket), never MEDIA_ROOT.

    On local disk the default storage is MEDIA_ROOT, which the site serves to anyone at /media/, so
    the files go to DATA_DIR/circulation instead; only the staff views read them.
    """
    default = storages["default"]
    if isinstance(default, FileSystemStorage):
        return FileSystemStorage(location=settings.DATA_DIR / "circulation")
    return default


def printer_file_path(instance: MailingListFile, filename: str) -> str:
    """A path no one can guess, so even a storage that serves by path gives it to no one without the name."""
    return f"circulation/mailing-lists/{secrets.token_urlsafe(24)}/{filename}"


class MailingListFile(models.Model):
    """One of the printer's files of a stored list, rendered once from its rows and served as stored ever after."""

    CSV = "csv"
    LABELS_A4 = "labels-a4"
    LABELS_LETTER = "labels-letter"
    KINDS = [(CSV, "CSV"), (LABELS_A4, "Labels, A4"), (LABELS_LETTER, "Labels, US Letter")]

    mailing_list = models.ForeignKey(MailingList, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=20, choices=KINDS)
    file = models.FileField(storage=printer_files_storage, upload_to=printer_file_path, max_length=255)
    rendered_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mailing_list", "kind"], name="one_file_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.mailing_list}"


def delete_stored_file(sender, instance: MailingListFile, **kwargs) -> None:
    """Names and addresses leave the storage with their row (an issue deleted takes its list and files)."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


class CirculationDay(models.Model):
    """One day's changes to the ledger as the circulation dashboard counts them (a day in the magazine's time zone).

    Drawn from the ledger (`subscriptions.queries`) once the day is over, so the dashboard reads a
    row a day instead of every payment; drawn again by the hourly job until it is settled (a
    renewal paid on a late retry counts from its period's start, days before). See
    `days.store_days`; the ledger stays the truth, and the rows can be drawn again at any time.
    """

    day = models.DateField(unique=True)
    started = models.PositiveIntegerField(
        default=0, help_text="Subscriptions begun: checkouts, trials, grants, imports."
    )
    new = models.PositiveIntegerField(default=0, help_text="Readers' own checkouts and trials.")
    renewed = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    refunded = models.PositiveIntegerField(default=0, help_text="Refunded under the money-back guarantee.")
    lapsed = models.PositiveIntegerField(default=0, help_text="Ended after dunning's last retry failed.")
    ended = models.PositiveIntegerField(default=0, help_text="Ended for any reason, refunds included.")
    lifetime_days = models.FloatField(
        default=0, help_text="The summed length, in days, of the subscriptions that ended."
    )
    yearly_revenue_change = models.JSONField(
        default=dict, blank=True, help_text="Currency -> change in the yearly value of paid periods, in minor units."
    )
    drawn_at = models.DateTimeField()

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"Circulation on {self.day:%Y-%m-%d}"
