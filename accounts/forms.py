"""Forms for joining Sadlist, signing in, keeping an email address, and leaving."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
    UserCreationForm,
)

from accounts.mail import send_later
from accounts.models import UsernameKey

User = get_user_model()

USERNAME_TAKEN = "That username, or one that looks the same, is taken. Choose another."
# The same words whether or not another account holds the address, so that this
# form cannot be used to find out who is a member.
EMAIL_REFUSED = "That email address cannot be used here. Use another one."


def email_is_used(email, exclude=None):
    members = User.objects.filter(email__iexact=email)
    if exclude is not None:
        members = members.exclude(pk=exclude.pk)
    return bool(email) and members.exists()


class RulesUnderThePasswordMixin:
    """
    "Too common" or "too short" is about the password chosen, so it is shown under that
    field, not under its confirmation (where Django puts it).
    """

    def validate_password_for_user(self, user, confirmation="password2"):
        super().validate_password_for_user(user, confirmation.replace("2", "1"))


class ChangePasswordForm(RulesUnderThePasswordMixin, PasswordChangeForm):
    pass


class NewPasswordForm(RulesUnderThePasswordMixin, SetPasswordForm):
    pass


class SignUpForm(RulesUnderThePasswordMixin, UserCreationForm):
    """Username and password twice (Django's password rules apply); email is optional."""

    email = forms.EmailField(
        required=False,
        help_text="Optional. Without it we cannot help you reset a forgotten password.",
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_username(self):
        # Replaces Django's case-insensitive check with the wider one; the unique key
        # (UsernameKey) catches a sign-up that races this one.
        username = self.cleaned_data["username"]
        if (
            UsernameKey.objects.holder_of(username) is not None
            or User.objects.filter(username__iexact=username).exists()
        ):
            raise forms.ValidationError(USERNAME_TAKEN, code="unique")
        return username

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email_is_used(email):
            raise forms.ValidationError(EMAIL_REFUSED, code="unique")
        return email


class SignInMixin:
    """Finds the account whatever the case or lookalike letters typed: `Alice` is `alice`."""

    def clean_username(self):
        username = self.cleaned_data["username"]
        # An exact name wins: of two accounts that looked alike before names were
        # folded, each still signs in under its own name.
        if User.objects.filter(username=username).exists():
            return username
        holder = UsernameKey.objects.holder_of(username)
        return holder.get_username() if holder is not None else username


class SignInForm(SignInMixin, AuthenticationForm):
    pass


class AdminSignInForm(SignInMixin, AdminAuthenticationForm):
    pass


class QuietPasswordResetForm(PasswordResetForm):
    """
    Finds the accounts in the request, then builds and sends the mail after it: a
    known and an unknown address then take the same time to answer, so the timing
    cannot tell who is a member.
    """

    def save(self, **kwargs):
        # Only the lookup of accounts (one query) happens now; tokens and templates
        # are made with the rest of the mail, after the response.
        users = list(self.get_users(self.cleaned_data["email"]))
        self.get_users = lambda email: users
        send_later(super().save, **kwargs)


class PasswordConfirmedForm(forms.Form):
    """A change to the account itself, confirmed with the member's password."""

    refusal = "That is not your password; nothing was changed."

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password to confirm."},
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(self.refusal)
        return password


class EmailForm(PasswordConfirmedForm):
    """A member's own address: added, changed or removed."""

    email = forms.EmailField(
        required=False,
        label="Email address",
        help_text="Leave empty to remove it (you then cannot reset a forgotten password).",
    )
    field_order = ["email", "password"]

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, initial={"email": user.email}, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email_is_used(email, exclude=self.user):
            raise forms.ValidationError(EMAIL_REFUSED, code="unique")
        return email


class DeleteAccountForm(PasswordConfirmedForm):
    """Deleting an account cannot be undone, so the member confirms with their password."""

    refusal = "That is not your password; nothing was deleted."
