"""Gifts under Subscribers' neighbour in the admin menu, for circulation staff."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from masthead.gifts import admin_views
from masthead.subscriptions.staff_access import can_manage_subscriptions


class GiftsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_subscriptions(request.user)


@hooks.register("register_admin_urls")
def register_gift_urls():
    urlpatterns = [
        path("", admin_views.GiftIndexView.as_view(), name="index"),
        path("<id:gift_id>/", admin_views.GiftDetailView.as_view(), name="detail"),
        path("<id:gift_id>/resend/", admin_views.GiftResendView.as_view(), name="resend"),
    ]
    return [path("gifts/", include((urlpatterns, "gifts_admin"), namespace="gifts_admin"))]


@hooks.register("register_admin_menu_item")
def register_gifts_menu_item():
    return GiftsMenuItem("Gifts", reverse("gifts_admin:index"), name="gifts", icon_name="pick", order=295)
