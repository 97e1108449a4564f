"""Template access to issues for pages owned by other apps (content does not import editions)."""

from __future__ import annotations

from django import template

from masthead.access.entitlements import request_entitlements
from masthead.core.page_cache import mark_user_dependent
from masthead.editions.models import IssueArticle
from masthead.editions.queries import articles_in_issue, current_issue, edition_list, live_issues

register = template.Library()

# Issues listed on /account/; /account/editions/ lists every one.
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
    in_order = list(articles_in_issue(entry.issue_id))
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
    """`{% digital_editions_panel %}` on /account/: the newest issues' downloads, and a link to all of them."""
    request = context["request"]
    mark_user_dependent(request)
    entitled = request.user.is_authenticated and request_entitlements(request).editions
    panel = {"entitled": entitled}
    if entitled:
        issues = list(live_issues()[: ACCOUNT_ISSUES + 1])
        panel["total"] = live_issues().count() if len(issues) > ACCOUNT_ISSUES else len(issues)
        panel.update(edition_list(issues[:ACCOUNT_ISSUES]))
    return panel
