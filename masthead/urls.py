from django.conf import settings
from django.contrib import admin as django_admin
from django.urls import include, path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from masthead.core import views as core_views
from masthead.subscriptions.urls import stripe_webhook_urlpatterns, subscribe_urlpatterns

# allauth answers its own rate limits with this (Django itself has no 429 handler).
handler429 = core_views.too_many_requests

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", django_admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("subscribe/", include(subscribe_urlpatterns)),
    path("webhooks/stripe/", include(stripe_webhook_urlpatterns)),
    path("account/", include("masthead.accounts.urls")),
    path("issues/", include("masthead.editions.urls")),
    path("audio/", include("masthead.audio.urls")),
    path("", include("masthead.content.urls")),
]

if settings.SERVE_MEDIA:
    # The embedded default serves uploaded media itself; a scaled-out site uses object storage.
    urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

urlpatterns += [path("", include(wagtail_urls))]
