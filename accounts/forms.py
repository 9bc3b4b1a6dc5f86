"""Forms for joining Sadlist and leaving it."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm


class SignUpForm(UserCreationForm):
    """Username and password twice (Django's password rules apply); email is optional."""

    email = forms.EmailField(
        required=False,
        help_text="Optional. Without it we cannot help you reset a forgotten password.",
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")


class DeleteAccountForm(forms.Form):
    """Deleting an account cannot be undone, so the member confirms with their password."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(
            attrs={
                "autocomplete": "current-password",
            }
        ),
        error_messages={"required": "Enter your password to confirm."},
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password; nothing was deleted.")
        return password
