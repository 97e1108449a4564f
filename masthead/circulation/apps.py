from django.apps import AppConfig
from django.db.models.signals import post_delete


class CirculationConfig(AppConfig):
    """The print edition's circulation: each issue's mailing list for the printer, stored when the issue closes."""

    name = "masthead.circulation"
    label = "circulation"
    verbose_name = "Circulation"

    def ready(self):
        from masthead.circulation.models import MailingListFile, delete_stored_file

        post_delete.connect(delete_stored_file, sender=MailingListFile, dispatch_uid="circulation_delete_stored_file")
