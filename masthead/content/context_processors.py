"""What every page's header and footer need: the magazine's name and its sections."""

from django.conf import settings

from masthead.content.queries import live_sections


def site_chrome(request):
    """The header's and footer's context."""
    return {
        "magazine_name": settings.MAGAZINE_NAME,
        "nav_sections": live_sections,  # callable: evaluated only by templates that show it
    }
