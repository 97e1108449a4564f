from django.conf import settings


def site_chrome(request):
    """What every page's header and footer need."""
    from masthead.content.queries import live_sections

    return {
        "magazine_name": settings.MAGAZINE_NAME,
        "nav_sections": live_sections,  # callable: evaluated only by templates that show it
    }
