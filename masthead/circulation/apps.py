from django.apps import AppConfig


class CirculationConfig(AppConfig):
    """The print edition's circulation: each issue's mailing list for the printer, stored when the issue closes."""

    name = "masthead.circulation"
    label = "circulation"
    verbose_name = "Circulation"
