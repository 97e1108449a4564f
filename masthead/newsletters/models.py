"""Who we write to (recipients and their choices), what we write (newsletters) and each mailing's deliveries."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageChooserBlock

from masthead.core.jobs import Job

# What a reader can choose to receive; each has its own one-click unsubscribe.
ISSUE_EMAIL, DIGEST, ALERTS, NEWSLETTERS = "issue", "digest", "alerts", "newsletters"
LISTS = {
    ISSUE_EMAIL: "the new-issue email",
    DIGEST: "the weekly digest",
    ALERTS: "section alerts",
    NEWSLETTERS: "newsletters from the editors",
}


class Recipient(models.Model):
    """An email address we may write to: a free sign-up, or a reader's account address; its choices and suppression.

    A free sign-up is unconfirmed until its owner follows the confirmation link (double opt-in);
    nothing but that confirmation is ever sent to an unconfirmed address. Confirming makes the address
    a reader's account if it has none (free_readers.py). A reader who signed up with a password gets a
    row the first time a mailing reaches them (their address was confirmed by the account).
    """

    BOUNCED, COMPLAINED = "bounced", "complained"

    email = models.EmailField(max_length=254, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="email_recipient"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    # A confirmation link signs its reader in once: the first sign-in spends every link sent to the address.
    signed_in_by_link_at = models.DateTimeField(null=True, blank=True)
    wants_issue_email = models.BooleanField(default=True)
    wants_digest = models.BooleanField(default=True)
    wants_newsletters = models.BooleanField(default=True)
    alert_sections = models.ManyToManyField("content.SectionPage", blank=True, related_name="+")
    suppressed_at = models.DateTimeField(null=True, blank=True, help_text="No mail goes here after this.")
    suppression_reason = models.CharField(
        max_length=12, blank=True, choices=[(BOUNCED, "Bounced"), (COMPLAINED, "Marked as spam")]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["confirmed_at"], name="recipient_confirmed")]

    def __str__(self) -> str:
        return self.email

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def wants(self, mailing_list: str) -> bool:
        """Whether this address takes `mailing_list` (one of LISTS) today."""
        if self.suppressed_at or not self.confirmed_at:
            return False
        if mailing_list == ALERTS:
            return self.alert_sections.exists()
        return {ISSUE_EMAIL: self.wants_issue_email, DIGEST: self.wants_digest, NEWSLETTERS: self.wants_newsletters}[
            mailing_list
        ]


class NewsletterBodyBlock(blocks.StreamBlock):
    """The article editor's blocks, less the page break: an email is one page."""

    paragraph = blocks.RichTextBlock(features=["bold", "italic", "link"])
    heading = blocks.CharBlock(max_length=200, icon="title")
    image = blocks.StructBlock(
        [("image", ImageChooserBlock()), ("caption", blocks.CharBlock(required=False, max_length=300))],
        icon="image",
    )
    pull_quote = blocks.StructBlock(
        [("quote", blocks.TextBlock()), ("attribution", blocks.CharBlock(required=False, max_length=200))],
        icon="openquote",
    )


class Newsletter(models.Model):
    """A one-off email the editors compose with the block editor and send to a segment of readers."""

    SUBSCRIBERS, FREE_READERS, LAPSED, SECTION_FOLLOWERS = "subscribers", "free", "lapsed", "section"
    SEGMENTS = [
        (SUBSCRIBERS, "Subscribers"),
        (FREE_READERS, "Free readers"),
        (LAPSED, "Lapsed readers"),
        (SECTION_FOLLOWERS, "A section's followers"),
    ]

    subject = models.CharField(max_length=200)
    preheader = models.CharField(max_length=200, blank=True, help_text="The line mail programs show after the subject.")
    body = StreamField(NewsletterBodyBlock(), blank=True)
    segment = models.CharField(max_length=12, choices=SEGMENTS, default=FREE_READERS)
    section = models.ForeignKey(
        "content.SectionPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="For “A section's followers”.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("subject"),
        FieldPanel("preheader"),
        MultiFieldPanel([FieldPanel("segment"), FieldPanel("section")], heading="Who receives it"),
        FieldPanel("body"),
    ]

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.segment == self.SECTION_FOLLOWERS and not self.section_id:
            raise ValidationError({"section": "Choose the section whose followers receive it."})


class Send(Job):
    """One mailing (an issue's email, a newsletter, a digest, an alert) and the job (core.jobs) sending it.

    `key` names what is being sent ("issue:12") and is unique, so publishing an issue twice finds
    the same mailing. Recipients are written once, as one Delivery row each (unique per send), the
    first time a worker takes the job; every later run only works through the rows still pending.
    """

    ISSUE, NEWSLETTER, DIGEST_KIND, ALERT = "issue", "newsletter", "digest", "alert"
    KINDS = [(ISSUE, "New issue"), (NEWSLETTER, "Newsletter"), (DIGEST_KIND, "Weekly digest"), (ALERT, "Section alert")]
    # Renewed every quarter of itself while the worker sends, so only a dead worker's claim runs out
    # and another worker carries on that soon after (settings.NEWSLETTER_SEND_LEASE_SECONDS).
    LEASE = datetime.timedelta(seconds=settings.NEWSLETTER_SEND_LEASE_SECONDS)
    FIRST_RETRY_AFTER = datetime.timedelta(minutes=2)
    GIVE_UP_HINT = "press Send again"

    key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=12, choices=KINDS)
    issue = models.ForeignKey("editions.Issue", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    newsletter = models.ForeignKey(Newsletter, null=True, blank=True, on_delete=models.CASCADE, related_name="sends")
    article = models.ForeignKey(
        "content.ArticlePage", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject = models.CharField(max_length=200)
    preheader = models.CharField(max_length=200, blank=True)
    requested_at = models.DateTimeField(
        null=True, blank=True, help_text="When sending was asked for; a mailing without it is a draft."
    )
    recipients_written_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def is_draft(self) -> bool:
        return self.requested_at is None

    @property
    def state_for_staff(self) -> str:
        if self.is_draft:
            return "Draft"
        if self.status == Job.READY:
            return "Sent"
        if self.status == Job.RUNNING:
            return "Sending"
        return super().state_for_staff

    def counts(self) -> dict[str, int]:
        """Deliveries by outcome (`turned_away`: pending again after a 4xx), complaints, unsubscribes: one query."""
        outcome = {status: Count("pk", filter=Q(status=status)) for status, _ in Delivery.STATUSES}
        return self.deliveries.aggregate(
            total=Count("pk"),
            turned_away=Count("pk", filter=Q(status=Delivery.PENDING, retry_at__isnull=False)),
            complained=Count("pk", filter=Q(complained_at__isnull=False)),
            unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
            **outcome,
        )


class Delivery(models.Model):
    """One recipient's copy of one mailing; unique per send and recipient, so a resumed send skips who already got it.

    `sending` is written before the message is handed to the mail server and `sent` after it
    accepted it. A row found still `sending` by the next worker (its predecessor died in between)
    may or may not have arrived: it becomes `uncertain` and is never sent again, as a second copy
    is worse than none (docs/email.md). A copy the server turned away for now (a 4xx answer: it took
    nothing) goes back to `pending` with a `retry_at`, and is offered again up to SOFT_BOUNCE_TRIES times.
    """

    PENDING, SENDING, SENT, FAILED, BOUNCED, UNCERTAIN = "pending", "sending", "sent", "failed", "bounced", "uncertain"
    STATUSES = [
        (PENDING, "Pending"),
        (SENDING, "Being handed over"),
        (SENT, "Sent"),
        (FAILED, "Failed"),
        (BOUNCED, "Bounced"),
        (UNCERTAIN, "Uncertain (the worker stopped while handing it over)"),
    ]

    send = models.ForeignKey(Send, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True, db_index=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    soft_bounces = models.PositiveSmallIntegerField(default=0, help_text="Times a server turned it away for now.")
    retry_at = models.DateTimeField(null=True, blank=True, help_text="When a copy turned away for now goes again.")

    # Tries in all for a copy turned away for now; waits of 5, 20 and 80 minutes between them.
    SOFT_BOUNCE_TRIES = 4
    FIRST_RETRY_AFTER = datetime.timedelta(minutes=5)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["send", "recipient"], name="one_delivery_per_recipient")]
        indexes = [
            models.Index(fields=["send", "status"], name="delivery_send_status"),
            # retry_due_sends looks for copies due again across mailings: only those waiting are indexed.
            models.Index(fields=["retry_at"], name="delivery_retry_at", condition=Q(retry_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.send_id} to {self.recipient_id} ({self.status})"
