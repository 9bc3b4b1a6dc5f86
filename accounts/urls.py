"""Accounts: Django's auth views with our templates, plus sign-up, profiles and leaving."""

from django.contrib.auth import views as auth_views
from django.urls import path, register_converter, reverse_lazy

from accounts import import_views, views
from accounts.forms import ChangePasswordForm, NewPasswordForm, QuietPasswordResetForm


class UsernameConverter:
    """What Django's username rule allows (letters, digits, . @ + - _; at most 150)."""

    regex = r"[\w.@+-]{1,150}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(UsernameConverter, "username")

app_name = "accounts"

urlpatterns = [
    path("account/signup/", views.signup, name="signup"),
    path("account/signin/", views.SignInView.as_view(), name="login"),
    # Django's LogoutView answers only POST: a link or an image cannot sign anyone out.
    path("account/signout/", views.SignOutView.as_view(), name="logout"),
    path("account/email/", views.change_email, name="email"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(
            form_class=ChangePasswordForm, success_url=reverse_lazy("accounts:password_change_done")
        ),
        name="password_change",
    ),
    path(
        "account/password/changed/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "account/password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=QuietPasswordResetForm,
            success_url=reverse_lazy("accounts:password_reset_done"),
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "account/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "account/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=NewPasswordForm, success_url=reverse_lazy("accounts:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "account/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("account/export.json", views.export_json, name="export_json"),
    path("account/export.csv", views.export_csv, name="export_csv"),
    path("account/delete/", views.delete_account, name="delete"),
    path("account/import/", import_views.import_list, name="import_list"),
    path("members/<username:username>/", views.profile, name="profile"),
]
