"""Account forms. Password-rule errors go under the password field itself, not under its
confirmation, so they sit next to the rules they break."""

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    BaseUserCreationForm,
    PasswordResetForm,
    SetPasswordForm,
    UserCreationForm,
)
from django.contrib.auth.models import User

from . import one_time
from .backends import find_user

# Usernames are typed exactly: no capital letter or "correction" from a phone keyboard.
USERNAME_INPUT = {
    "autocomplete": "username",
    "autocapitalize": "none",
    "autocorrect": "off",
    "spellcheck": "false",
}


class SignUpForm(UserCreationForm):
    """First name, last name, username and password (twice). UserCreationForm already refuses
    a username that differs only in case from an existing one."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("first_name", "last_name", "username")
        labels = {"first_name": "First name", "last_name": "Last name"}
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name", "autofocus": True}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):  # max. 150, as on the model
            self.fields[name].required = True
        username = self.fields["username"]
        username.widget.attrs.pop("autofocus", None)  # the first name comes first now
        username.widget.attrs.update(USERNAME_INPUT)
        # Sign-up never offers the "password-based authentication" switch of the admin form.
        self.fields.pop("usable_password", None)

    def _post_clean(self):
        # ModelForm's checks, then the password rules, reported on `password1`.
        super(BaseUserCreationForm, self)._post_clean()
        self.validate_password_for_user(self.instance, password_field_name="password1")


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(USERNAME_INPUT)

    def clean_username(self):
        # Log in (and count failed log-ins, django-axes) under the account's own spelling, so
        # "MARIA" and "maria" share one lockout.
        username = self.cleaned_data.get("username")
        user = find_user(username) if username else None
        return user.get_username() if user else username


class OwnPasswordForm(SetPasswordForm):
    """A new password without the old one (after a one-time password or a reset link)."""

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            one_time.clear(user)
        return user


class ResetRequestForm(PasswordResetForm):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
