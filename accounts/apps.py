from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        from django.contrib import admin

        from accounts.forms import AdminSignInForm

        # Curators sign in to the admin as members do: `Curator` finds `curator`.
        admin.site.login_form = AdminSignInForm
