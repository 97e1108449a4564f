"""Many subscribers and a published issue whose email is asked for but not yet sent, written in bulk.

Run in a child process against the database in DATABASE_URL / DATA_DIR:
    python -m tests.email.mailing_setup 1500
Prints the mailing's id.
"""

from __future__ import annotations

import os
import sys


def main(count: int) -> int:
    import datetime

    from django.utils import timezone

    from masthead.content.models import SectionPage
    from masthead.content.services import create_or_update_article
    from masthead.editions.models import Issue, IssueArticle
    from masthead.newsletters.models import Send
    from masthead.newsletters.services import issue_email
    from tests.ledger.due_subscriptions import create_due_subscriptions

    # Subscriptions a month old whose period ended an hour ago: still entitled (the renewal grace).
    create_due_subscriptions(count)
    article = create_or_update_article(
        section=SectionPage.objects.get(slug="politics"),
        title="A Census of Harbours",
        slug="a-census-of-harbours",
        author_names=["Ada Lighthouse"],
        date=datetime.date(2026, 1, 1),
        standfirst="Every port, counted.",
        pages=[["<p>The first paragraph.</p>"]],
        publish=True,
    )
    issue = Issue.objects.create(volume=7, number=1, cover_date=datetime.date(2026, 1, 1), live=True)
    IssueArticle.objects.create(issue=issue, article=article, sort_order=0)
    send = issue_email(issue)
    Send.objects.filter(pk=send.pk).update(requested_at=timezone.now())
    return send.pk


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    import django

    django.setup()
    print(main(int(sys.argv[1])))
