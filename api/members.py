"""
The API's members: a member's public profile and ratings, and who a token belongs to.
"""

import re

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Query, Router

from accounts.urls import UsernameConverter
from api.problems import Problem
from api.responses import AUTH, absolute, paginate
from api.schemas import Me, MemberOut, MemberRating, Page
from pages.views import TITLES_PER_PAGE
from reviews.models import Comment, Rating

router = Router()


def active_member(username):
    # Only what a username can hold reaches the database (PostgreSQL refuses NUL).
    if not re.fullmatch(UsernameConverter.regex, username):
        raise Problem(404, "There is no member by that name.")
    return get_object_or_404(get_user_model(), username=username, is_active=True)


@router.get(
    "/members/{username}/",
    response=MemberOut,
    summary="A member's public profile",
    tags=["members"],
)
def member(request, username: str):
    found = active_member(username)
    return {
        "username": found.get_username(),
        "joined": found.date_joined,
        "rating_count": Rating.objects.filter(user=found, title__is_published=True).count(),
        "comment_count": Comment.objects.visible()
        .filter(user=found, title__is_published=True)
        .count(),
        "url": absolute(request, reverse("accounts:profile", args=[found.get_username()])),
    }


@router.get(
    "/members/{username}/ratings/",
    response=Page[MemberRating],
    summary="A member's tear ratings, latest first",
    tags=["members"],
)
def member_ratings(request, username: str, page: int = Query(1, ge=1)):
    found = active_member(username)
    ratings = (
        Rating.objects.filter(user=found, title__is_published=True)
        .select_related("title")
        .order_by("-updated_at", "-pk")
    )
    return paginate(
        request,
        ratings,
        page,
        TITLES_PER_PAGE,
        convert=lambda rating: {
            "title": rating.title.slug,
            "name": rating.title.name,
            "tears": rating.tears,
            "tear_level": rating.get_tears_display(),
            "updated_at": rating.updated_at,
        },
    )


@router.get("/me/", response=Me, summary="Who the token belongs to", tags=["account"], **AUTH)
def me(request):
    return {"username": request.auth.user.get_username(), "can_write": request.auth.can_write}
