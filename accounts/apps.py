from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import one_time

        # Remember in the session whether this log-in must first choose a password, so the
        # middleware asks the database once per log-in rather than on every request.
        user_logged_in.connect(one_time.note_login, dispatch_uid="accounts.one_time.note_login")
