"""Template access to issues for pages owned by other apps (content does not import editions)."""

from django import template

from masthead.editions.queries import current_issue

register = template.Library()


@register.simple_tag
def get_current_issue():
    return current_issue()
