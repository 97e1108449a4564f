"""Who may see subscribers and act for them: the circulation permission, checked on the server in every view.

`circulation` imports this too (its mailing lists are circulation staff's), rather than a views module.
"""

from __future__ import annotations

from django.template.response import TemplateResponse

# The one permission that lets staff see subscribers and act for them (superusers have it too).
CIRCULATION_PERMISSION = "subscriptions.change_subscription"

SUBSCRIBERS_ARE_PRIVATE = "Subscribers, their payments and the cancellation reasons are for circulation staff."


def can_manage_subscriptions(user) -> bool:
    """Whether `user` may see subscribers and refund, grant, extend or cancel for them."""
    return user.is_active and user.has_perm(CIRCULATION_PERMISSION)


def staff_actor(user) -> str:
    """How a staff member is named in the event log, as the services name them."""
    return f"staff:{user.email or user.get_username()}"


def forbidden(request, why: str = SUBSCRIBERS_ARE_PRIVATE) -> TemplateResponse:
    """A 403 in the admin's own chrome (Wagtail itself would redirect home, hiding the refusal's status)."""
    context = {
        "page_title": "Permission denied",
        "header_title": "Permission denied",
        "header_icon": "warning",
        "why": why,
    }
    return TemplateResponse(request, "subscriptions/admin/forbidden.html", context, status=403)


class CirculationOnlyMixin:
    """Refuse (403) anyone without the circulation permission, before any object is looked up."""

    forbidden_because = SUBSCRIBERS_ARE_PRIVATE

    def dispatch(self, request, *args, **kwargs):
        if not can_manage_subscriptions(request.user):
            return forbidden(request, self.forbidden_because)
        return super().dispatch(request, *args, **kwargs)
