from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    """Libraries, schools and companies whose members read as subscribers (digital only)."""

    name = "masthead.institutions"
    label = "institutions"
    verbose_name = "Institutions"

    def ready(self):
        from masthead.core import page_cache
        from masthead.institutions import networks, receivers

        receivers.connect()
        page_cache.recognise_networks_with(networks.institution_at_request)
