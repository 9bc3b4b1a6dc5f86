"""A member's avoid list: the causes whose titles browse and theme pages leave out for them."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from reviews.insights import avoided_cause_ids, causes_in_use, set_avoided


class AvoidForm(forms.Form):
    causes = forms.TypedMultipleChoiceField(
        label="Leave out titles where many raters named",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "%(value)s is not one of the causes offered; choose from the list."
        },
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["causes"].choices = [(cause.pk, cause.name) for cause in causes_in_use(request)]


@login_required
def avoid_list(request):
    """The member chooses causes to avoid; a POST replaces the list with what is ticked."""
    form = AvoidForm(
        request.POST if request.method == "POST" else None,
        request=request,
        initial={"causes": avoided_cause_ids(request.user)},
    )
    if request.method == "POST" and form.is_valid():
        set_avoided(request.user, form.cleaned_data["causes"])
        count = len(form.cleaned_data["causes"])
        messages.success(
            request,
            f"Your avoid list is saved: {count} cause{'s' if count != 1 else ''}."
            if count
            else "Your avoid list is empty: every title shows.",
        )
        return redirect("reviews:avoid_list")
    return render(request, "reviews/avoid_list.html", {"form": form})
