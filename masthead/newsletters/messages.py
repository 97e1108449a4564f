"""What a mailing says: rendered once per send (HTML inlined for mail programs, and plain text), then
addressed to each recipient with their own unsubscribe links and RFC 8058 one-click headers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from email.utils import make_msgid

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from masthead.newsletters import tokens
from masthead.newsletters.models import ALERTS, DIGEST, ISSUE_EMAIL, NEWSLETTERS, Recipient, Send

# Stand-ins for each recipient's own links, put in after the one rendering (cheap string replaces).
UNSUBSCRIBE_MARK = "%%unsubscribe-url%%"
MANAGE_MARK = "%%manage-url%%"
LIST_OF_KIND = {Send.ISSUE: ISSUE_EMAIL, Send.DIGEST_KIND: DIGEST, Send.ALERT: ALERTS, Send.NEWSLETTER: NEWSLETTERS}
INLINER = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


def absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL.rstrip("/") + url


def image_url(image, spec: str = "width-1200") -> str:
    return absolute(image.get_rendition(spec).url)


def unsubscribe_url(recipient_id: int, mailing_list: str, send_id: int | None = None) -> str:
    token = tokens.unsubscribe_token(recipient_id, mailing_list, send_id)
    return absolute(reverse("newsletters:unsubscribe", args=[token]))


def manage_url(recipient_id: int) -> str:
    return absolute(reverse("email_preferences") + "?t=" + tokens.manage_token(recipient_id))


@dataclass(frozen=True)
class Mailing:
    """A mailing's words, the same for everyone; `message_for` addresses one copy."""

    send_id: int | None
    mailing_list: str
    subject: str
    html: str
    text: str

    def message_for(self, recipient: Recipient, *, connection=None) -> EmailMultiAlternatives:
        unsubscribe = unsubscribe_url(recipient.pk, self.mailing_list, self.send_id)
        manage = manage_url(recipient.pk)
        domain = settings.SITE_URL.split("//")[-1].split("/")[0].split(":")[0] or "masthead.local"
        # One Message-ID per recipient and mailing: mail programs fold a copy they already hold.
        message_id = f"<mailing.{self.send_id}.{recipient.pk}@{domain}>" if self.send_id else make_msgid(domain=domain)
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=self.text.replace(UNSUBSCRIBE_MARK, unsubscribe).replace(MANAGE_MARK, manage),
            from_email=settings.NEWSLETTER_FROM_EMAIL,
            to=[recipient.email],
            connection=connection,
            headers={
                "Message-ID": message_id,
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "List-Id": f"{settings.MAGAZINE_NAME} {self.mailing_list} <{self.mailing_list}.{domain}>",
            },
        )
        html = self.html.replace(UNSUBSCRIBE_MARK, unsubscribe).replace(MANAGE_MARK, manage)
        message.attach_alternative(html, "text/html")
        return message


def render(template: str, context: dict, *, subject: str, preheader: str, mailing_list: str, send_id=None) -> Mailing:
    context = {
        "magazine_name": settings.MAGAZINE_NAME,
        "publisher_name": settings.PUBLISHER_NAME,
        "postal_address": settings.NEWSLETTER_POSTAL_ADDRESS,
        "site_url": settings.SITE_URL,
        "subject": subject,
        "preheader": preheader,
        "list_name": mailing_list,
        "unsubscribe_url": UNSUBSCRIBE_MARK,
        "manage_url": MANAGE_MARK,
        **context,
    }
    html = render_to_string(f"newsletters/email/{template}.html", context)
    text = render_to_string(f"newsletters/email/{template}.txt", context)
    return Mailing(send_id, mailing_list, subject, INLINER.inline(html), text)


def issue_context(issue) -> dict:
    from masthead.editions.queries import issue_contents

    articles = issue_contents(issue)
    return {
        "issue": issue,
        "cover_url": image_url(issue.cover_image, "width-600") if issue.cover_image else "",
        "issue_url": absolute(issue.get_absolute_url()),
        "articles": [(article, absolute(article.url)) for article in articles],
        "epub_url": absolute(reverse("issue_epub", args=[issue.year, issue.number])),
        "pdf_url": absolute(reverse("issue_pdf", args=[issue.year, issue.number])),
    }


def digest_articles(now: datetime.datetime) -> list:
    from masthead.content.models import FREE
    from masthead.content.queries import attach_sections, published_articles

    week_ago = (now - datetime.timedelta(days=7)).date()
    return attach_sections(published_articles().filter(access_level=FREE, date__gt=week_ago, date__lte=now.date()))


def render_send(send: Send, *, now: datetime.datetime | None = None) -> Mailing:
    """The mailing as every recipient of `send` receives it, less their own links."""
    now = now or timezone.now()
    mailing_list = LIST_OF_KIND[send.kind]
    common = {"subject": send.subject, "preheader": send.preheader, "mailing_list": mailing_list, "send_id": send.pk}
    if send.kind == Send.ISSUE:
        return render("issue", issue_context(send.issue), **common)
    if send.kind == Send.DIGEST_KIND:
        articles = [(article, absolute(article.url)) for article in digest_articles(send.created_at or now)]
        # Free readers: the digest is the newsletter door to a subscription (circulation's dashboard counts it).
        subscribe_url = absolute(reverse("subscribe") + "?from=newsletter")
        return render("digest", {"articles": articles, "subscribe_url": subscribe_url}, **common)
    if send.kind == Send.ALERT:
        article = send.article.specific
        context = {
            "article": article,
            "article_url": absolute(article.url),
            "section": article.get_parent().specific,
            "hero_url": image_url(article.hero_image, "width-600") if article.hero_image else "",
        }
        return render("alert", context, **common)
    blocks = [
        (
            block.block_type,
            block.value,
            image_url(block.value["image"], "width-600") if block.block_type == "image" else "",
        )
        for block in send.newsletter.body
    ]
    return render("newsletter", {"blocks": blocks}, **common)


def confirmation_message(recipient: Recipient) -> EmailMultiAlternatives:
    """The double opt-in email: one link that confirms the sign-up (and nothing else goes to an unconfirmed address)."""
    confirm_url = absolute(reverse("newsletters:confirm", args=[tokens.confirmation_token(recipient.email)]))
    context = {
        "magazine_name": settings.MAGAZINE_NAME,
        "publisher_name": settings.PUBLISHER_NAME,
        "postal_address": settings.NEWSLETTER_POSTAL_ADDRESS,
        "subject": f"Confirm your sign-up to {settings.MAGAZINE_NAME}",
        "preheader": "One click and the free newsletters are yours.",
        "confirm_url": confirm_url,
        "days": tokens.CONFIRMATION_LIFETIME.days,
    }
    message = EmailMultiAlternatives(
        subject=context["subject"],
        body=render_to_string("newsletters/email/confirm.txt", context),
        from_email=settings.NEWSLETTER_FROM_EMAIL,
        to=[recipient.email],
    )
    message.attach_alternative(INLINER.inline(render_to_string("newsletters/email/confirm.html", context)), "text/html")
    return message
