from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Reader accounts (django-allauth, email as the login) and the account page."""

    name = "masthead.accounts"
    label = "accounts"
