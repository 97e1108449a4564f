"""Template access to issues for pages owned by other apps (content does not import editions)."""

from __future__ import annotations

from django import template

from masthead.access.entitlements import request_entitlements
from masthead.content.models import ArticlePage
from masthead.core.page_cache import mark_user_dependent
from masthead.editions.models import IssueArticle
from masthead.editions.queries import current_issue, live_issues
from masthead.editions.views import downloads_of

register = template.Library()

# Issues listed on /account/; the archive at /issues/ has the rest, each page with its downloads.
ACCOUNT_ISSUES = 12


@register.simple_tag
def get_current_issue():
    return current_issue()


@register.inclusion_tag("editions/issue_navigation.html", takes_context=True)
def issue_navigation(context, article):
    """`{% issue_navigation page %}`: the article's issue, and the previous and next article in it."""
    entry = IssueArticle.objects.filter(article_id=article.pk, issue__live=True).select_related("issue").first()
    if entry is None:
        return {"issue": None}
    request = context.get("request")
    in_order = list(
        ArticlePage.objects.live()
        .filter(issue_entry__issue_id=entry.issue_id)
        .order_by("issue_entry__sort_order", "pk")
        .defer_streamfields()
    )
    ids = [sibling.pk for sibling in in_order]
    if article.pk not in ids:  # a draft's preview: it has no place among the live articles yet
        return {"issue": entry.issue}
    index = ids.index(article.pk)

    def neighbour(position: int):
        if not 0 <= position < len(in_order):
            return None
        return {"title": in_order[position].title, "url": in_order[position].get_url(request)}

    return {
        "issue": entry.issue,
        "position": index + 1,
        "count": len(in_order),
        "previous": neighbour(index - 1),
        "next": neighbour(index + 1),
    }


@register.inclusion_tag("editions/account_editions.html", takes_context=True)
def digital_editions_panel(context):
    """`{% digital_editions_panel %}` on /account/: every issue the reader may download, newest first."""
    request = context["request"]
    mark_user_dependent(request)
    entitled = request.user.is_authenticated and request_entitlements(request).editions
    panel = {"entitled": entitled}
    if entitled:
        issues = list(live_issues()[: ACCOUNT_ISSUES + 1])
        panel["more"] = len(issues) > ACCOUNT_ISSUES
        issues = issues[:ACCOUNT_ISSUES]
        downloads = downloads_of(issues)
        panel["issues"] = [(issue, downloads[issue.pk]) for issue in issues]
    return panel
