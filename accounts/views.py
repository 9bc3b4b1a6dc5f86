"""
Members' accounts: signing up, in and out, the public profile (their cry history and
comments), and for the member themself, their email address, downloading all they
wrote and deleting the account. Passwords are Django's own views with our templates
(see urls.py).
"""

import csv
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.forms import (
    EMAIL_REFUSED,
    USERNAME_TAKEN,
    DeleteAccountForm,
    EmailForm,
    SignInForm,
    SignUpForm,
)
from accounts.mail import send_later
from accounts.models import UsernameKey
from reviews import community_views
from reviews.insights import own_extras, with_own_extras
from reviews.models import Comment, Rating
from reviews.stats import remove_member

RATINGS_PER_PAGE = 50
COMMENTS_PER_PAGE = 20

EXTERNAL_ID_FIELDS = ["myanimelist_id", "anilist_id", "anidb_id", "kitsu_id"]


def safe_next(request):
    """
    The `next` address if it is a path on this site, else None: no open redirects,
    and nothing (`home`, `javascript:`) that is not an address at all.
    """
    url = request.POST.get("next") or request.GET.get("next")
    if (
        url
        and url.startswith("/")
        and "\x00" not in url
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return None


def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile", username=request.user.get_username())
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
        except IntegrityError:
            # Someone took a name that looks the same, or the address, a moment ago.
            if UsernameKey.objects.holder_of(form.cleaned_data["username"]) is not None:
                form.add_error("username", USERNAME_TAKEN)
            else:
                form.add_error("email", EMAIL_REFUSED)
        else:
            login(request, user, backend="accounts.backends.MemberBackend")
            messages.success(request, f"Welcome to Sadlist, {user.get_username()}.")
            back = safe_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL)
            return HttpResponseRedirect(back)
    return render(request, "registration/signup.html", {"form": form, "next": safe_next(request)})


class SignInView(auth_views.LoginView):
    authentication_form = SignInForm

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, f"You are signed in as {form.get_user().get_username()}.")
        return response


class SignOutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            messages.success(request, "You are signed out. Come back when you need a cry.")
        return response


EMAIL_CHANGED_NOTICE = """Hello {username},

The email address of your Sadlist account was just changed from this address to {new}.

If you did this, there is nothing more to do. If you did not, someone knows your
password: reset it from the sign-in page and tell us.
"""


@login_required
def change_email(request):
    member = request.user
    form = EmailForm(member, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        old, new = member.email, form.cleaned_data["email"]
        if new == old:
            messages.info(request, "Your email address is unchanged.")
            return redirect("accounts:profile", username=member.get_username())
        member.email = new
        try:
            with transaction.atomic():
                member.save(update_fields=["email"])
        except IntegrityError:
            # Another account took the address between the check and the save.
            member.email = old
            form.add_error("email", EMAIL_REFUSED)
        else:
            if old:
                send_later(
                    send_mail,
                    "Your Sadlist email address was changed",
                    EMAIL_CHANGED_NOTICE.format(
                        username=member.get_username(), new=new or "no address"
                    ),
                    None,
                    [old],
                )
            messages.success(
                request,
                f"Your email address is now {new}." if new else "Your email address is removed.",
            )
            return redirect("accounts:profile", username=member.get_username())
    return render(request, "accounts/email_form.html", {"form": form})


def profile(request, username):
    member = get_object_or_404(get_user_model(), username=username, is_active=True)
    is_owner = request.user.pk == member.pk
    ratings = (
        Rating.objects.filter(user=member, title__is_published=True)
        .select_related("title")
        .order_by("-updated_at", "-pk")
    )
    comments = (
        Comment.objects.filter(user=member, title__is_published=True)
        .select_related("title", "mention__source")
        .order_by("-created_at", "-pk")
    )
    if is_owner:
        ratings = with_own_extras(ratings)
    else:
        comments = comments.visible()
    return render(
        request,
        "accounts/profile.html",
        {
            "member": member,
            "is_owner": is_owner,
            "ratings_page": Paginator(ratings, RATINGS_PER_PAGE).get_page(
                request.GET.get("ratings")
            ),
            "comments_page": Paginator(comments, COMMENTS_PER_PAGE).get_page(
                request.GET.get("comments")
            ),
            "community": community_views.profile_context(request, member, is_owner),
        },
    )


def external_ids(title):
    return {field: getattr(title, field) for field in EXTERNAL_ID_FIELDS}


def _export_rows(user):
    """All of a member's ratings and comments, on any title, as plain values."""
    ratings = [
        {
            "title": rating.title.name,
            "title_slug": rating.title.slug,
            # So that other sites (and another Sadlist) can match the title back.
            **external_ids(rating.title),
            "tears": rating.tears,
            "tear_level": rating.get_tears_display(),
            "rated_at": rating.created_at.isoformat(),
            "updated_at": rating.updated_at.isoformat(),
            **own_extras(rating),
        }
        for rating in with_own_extras(
            Rating.objects.filter(user=user).select_related("title").order_by("-updated_at", "-pk")
        )
    ]
    comments = [
        {
            "title": comment.title.name,
            "title_slug": comment.title.slug,
            "body": comment.body,
            "is_spoiler": comment.is_spoiler,
            "stance": comment.stance,
            "hidden_by_moderator": comment.is_hidden,
            "posted_at": comment.created_at.isoformat(),
            "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
        }
        for comment in Comment.objects.filter(user=user)
        .select_related("title")
        .order_by("-created_at", "-pk")
    ]
    return ratings, comments


def _download(content, content_type, user, extension):
    response = HttpResponse(content, content_type=content_type)
    filename = f"sadlist-{user.pk}-{timezone.now():%Y-%m-%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def export_json(request):
    ratings, comments = _export_rows(request.user)
    data = {
        "member": request.user.get_username(),
        "email": request.user.email,
        "joined_at": request.user.date_joined.isoformat(),
        "exported_at": timezone.now().isoformat(),
        "ratings": ratings,
        "comments": comments,
    }
    content = json.dumps(data, ensure_ascii=False, indent=2)
    return _download(content, "application/json; charset=utf-8", request.user, "json")


CSV_COLUMNS = [
    "record",
    "title",
    "title_slug",
    *EXTERNAL_ID_FIELDS,
    "tears",
    "tear_level",
    "causes",
    "moment",
    "where_it_hit",
    "quality",
    "quality_level",
    "ending",
    "body",
    "is_spoiler",
    "stance",
    "hidden_by_moderator",
    "rated_at",
    "posted_at",
    "updated_at",
    "edited_at",
]


def _spreadsheet_safe(value):
    """
    Cells that start like a formula get a leading apostrophe, so that opening the file
    in a spreadsheet shows a comment such as "=HYPERLINK(…)" as text instead of running it.
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@login_required
def export_csv(request):
    ratings, comments = _export_rows(request.user)
    response = _download("", "text/csv; charset=utf-8", request.user, "csv")
    response.write("\ufeff")  # lets spreadsheet programs recognise UTF-8
    writer = csv.DictWriter(response, fieldnames=CSV_COLUMNS, restval="")
    writer.writeheader()
    for record, rows in (("rating", ratings), ("comment", comments)):
        for row in rows:
            if isinstance(row.get("causes"), list):
                row = {**row, "causes": "; ".join(row["causes"])}
            writer.writerow({"record": record} | {k: _spreadsheet_safe(v) for k, v in row.items()})
    return response


@login_required
def delete_account(request):
    form = DeleteAccountForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        with transaction.atomic():
            # Lock the member first: a rating or comment by them committing at this moment
            # then either lands before the deletion (and is counted out with the rest) or
            # fails its foreign-key check, so the totals stay exact whatever the timing.
            get_user_model().objects.select_for_update().filter(pk=user.pk).first()
            remove_member(user)
        logout(request)
        messages.success(
            request, "Your account is deleted, with your ratings and comments. Goodbye."
        )
        return redirect("catalogue:home")
    return render(
        request,
        "accounts/delete_account.html",
        {
            "form": form,
            "rating_count": Rating.objects.filter(user=request.user).count(),
            "comment_count": Comment.objects.filter(user=request.user).count(),
        },
    )
