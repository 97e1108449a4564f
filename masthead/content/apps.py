from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "masthead.content"
    label = "content"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from masthead.content.models import Author
        from masthead.content.search import forget_author_options

        post_save.connect(forget_author_options, sender=Author, dispatch_uid="search-author-options")
        post_delete.connect(forget_author_options, sender=Author, dispatch_uid="search-author-options")
