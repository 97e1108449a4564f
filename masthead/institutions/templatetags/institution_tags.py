"""The account page's institutions: the seats a reader holds, and the seat page for an institution's admin."""

from __future__ import annotations

from django import template

from masthead.institutions.models import Institution
from masthead.institutions.queries import current_memberships

register = template.Library()


@register.inclusion_tag("institutions/_account_institutions.html", takes_context=True)
def account_institutions(context):
    user = context["request"].user
    return {
        "memberships": current_memberships(user),
        "is_contact": Institution.objects.filter(contact=user).exists(),
    }
