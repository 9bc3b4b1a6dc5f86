"""A member suggests a title the catalogue lacks; curators decide in the admin."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from catalogue.suggestion_forms import SuggestionForm
from catalogue.suggestions import Suggestion, SuggestionLimitReached


@login_required
def suggest(request):
    """
    The suggestion form. A name that matches a title or an open suggestion is shown
    ("Did you mean …?") and the suggestion waits until the member says it is another.
    """
    form = SuggestionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            suggestion = Suggestion.objects.submit(request.user, **form.suggestion_fields())
        except SuggestionLimitReached as limit:
            form.add_error(None, str(limit))
        else:
            messages.success(
                request,
                f"Thank you: {suggestion.name} is waiting for a curator. "
                "Your profile shows what they decide.",
            )
            profile = reverse("accounts:profile", args=[request.user.get_username()])
            return redirect(f"{profile}#suggestions")
    return render(request, "catalogue/suggest.html", {"form": form})
