"""
The API's ratings: a member's own rating of a title, with its extras, read, given,
changed and removed through the rating form's rules and the models' methods.
"""

from django.http import QueryDict
from ninja import Router
from ninja.responses import Status

from api.forms import RatingExtrasForm
from api.limits import TokenAuth
from api.problems import Problem
from api.responses import AUTH, form_problem, published_title, writer
from api.schemas import RatingIn, RatingOut
from reviews.forms import RatingForm
from reviews.insights import own_extras, rate_telling_more, with_own_extras
from reviews.models import RatedTitle, Rating

router = Router()


def rating_out(title, rating):
    """The member's own rating of `title`, extras and all (they may spoil: only theirs)."""
    stats = RatedTitle.objects.with_stats().get(pk=title.pk)
    rating = with_own_extras(Rating.objects.filter(pk=rating.pk)).get()
    rating.title = title
    return {
        "title": title.slug,
        "tears": rating.tears,
        "tear_level": rating.get_tears_display(),
        "causes": [cause.slug for cause in rating.causes_named],
        "moment": rating.moment,
        "where_it_hit": own_extras(rating)["where_it_hit"],
        "quality": rating.quality,
        "ending": rating.ending,
        "rating_count": stats.rating_count,
        "tear_score": round(stats.tear_score, 3),
    }


@router.get(
    "/titles/{slug:slug}/rating/",
    response=RatingOut,
    summary="Your rating of a title, with its extras",
    tags=["ratings"],
    auth=TokenAuth(),
)
def my_rating(request, slug: str):
    found = published_title(slug)
    rating = Rating.objects.filter(user=request.auth.user, title=found).first()
    if rating is None:
        raise Problem(404, f"You have not rated {found.name}.")
    return rating_out(found, rating)


EXTRAS = ("causes", "moment", "quality", "ending")


def extras_data(payload):
    """What was sent, as the rating form's data (a form reads what a browser would post)."""
    data = QueryDict(mutable=True)
    data["tears"] = payload.tears
    data.setlist("causes", payload.causes or [])
    for name in ("moment", "quality", "ending"):
        value = getattr(payload, name)
        data[name] = "" if value is None else value
    return data


@router.put(
    "/titles/{slug:slug}/rating/",
    response={200: RatingOut},
    summary="Rate a title, or change your rating",
    tags=["ratings"],
    **AUTH,
)
def rate(request, slug: str, payload: RatingIn):
    """
    Tears alone change only the tears. With any extra, the tears and the extras are
    saved together through the title page's form and rate_telling_more (the same
    rules and messages), or nothing is saved.
    """
    user = writer(request)
    found = published_title(slug)
    if not set(EXTRAS) & payload.model_fields_set:
        form = RatingForm({"tears": payload.tears})
        if not form.is_valid():
            raise form_problem(form)
        return rating_out(found, Rating.objects.rate(user, found, form.cleaned_data["tears"]))
    form = RatingExtrasForm(extras_data(payload), title=found, request=request)
    if not form.is_valid():
        raise form_problem(form)
    if "moment" not in form.fields and payload.moment is not None:
        # The page offers no moment then; a program is told rather than ignored.
        unknown = "We do not know how many episodes it has, so no moment can be marked."
        raise Problem(422, "What was sent breaks a rule; see errors.", {"moment": [unknown]})
    try:
        rating = rate_telling_more(user, found, form.cleaned_data["tears"], **form.extras())
    except ValueError as problem:
        raise Problem(422, str(problem), {"request": [str(problem)]}) from None
    return rating_out(found, rating)


@router.delete(
    "/titles/{slug:slug}/rating/",
    response={204: None},
    summary="Remove your rating",
    tags=["ratings"],
    **AUTH,
)
def unrate(request, slug: str):
    user = writer(request)
    found = published_title(slug)
    if not Rating.objects.unrate(user, found):
        raise Problem(404, f"You had not rated {found.name}; nothing to remove.")
    return Status(204, None)
