"""
The API's pages for people: its documentation, and the account page's tokens section
(make a token, shown once; revoke one, at once).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from api.endpoints import api
from api.forms import TokenForm
from api.models import AccessToken
from api.problems import problem_response
from sadlist.freshness import visitor_page


def endpoints():
    """(method, path, summary) for every operation in the OpenAPI document."""
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return [
        (method.upper(), path, operation.get("summary", ""), "security" in operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]


@visitor_page()
def docs(request):
    return render(request, "api/docs.html", {"endpoints": endpoints()})


# Nothing here changes anything, and an API client sends no CSRF token: a write to an
# address that is not there is a 404 problem, not the CSRF failure page.
@csrf_exempt
def not_found(request):
    return problem_response(request, 404, "There is nothing at this address.")


def account_page(user):
    return reverse("accounts:profile", args=[user.get_username()]) + "#api-tokens"


@never_cache
@login_required
@require_POST
def create_token(request):
    form = TokenForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "api/token_form.html", {"form": form}, status=422)
    row, token = form.save()
    # Shown on this page only: never stored, never in a message (messages live in the
    # session), and never_cache keeps it out of every cache.
    return render(
        request,
        "api/token_created.html",
        {"row": row, "token": token, "back": account_page(request.user)},
    )


@login_required
@require_POST
def revoke_token(request, pk):
    row = get_object_or_404(AccessToken, pk=pk, user=request.user)
    row.delete()
    messages.success(request, f"The token “{row.name}” is revoked: it no longer works.")
    return redirect(account_page(request.user))
