"""The site's URLs with the Stripe webhook mounted at /webhooks/stripe/, as masthead/urls.py mounts it."""

from django.urls import include, path

from masthead.subscriptions.urls import stripe_webhook_urlpatterns
from masthead.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("webhooks/stripe/", include(stripe_webhook_urlpatterns)), *site_urlpatterns]
