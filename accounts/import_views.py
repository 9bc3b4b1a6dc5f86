"""
The import page: a member uploads another site's list (or a Sadlist export) and sees
what was queued for them to rate and what matched nothing (accounts.imports).
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_POST

from accounts.imports import IMPORT_MAX_BYTES, ImportRefused, import_history


class ImportForm(forms.Form):
    list_file = forms.FileField(
        label="Your list file",
        help_text=f"A MyAnimeList export (.xml), an AniList export or a Sadlist export "
        f"(.json), up to {IMPORT_MAX_BYTES // 1024 // 1024} MB.",
        error_messages={"required": "Choose the file to import."},
    )


@login_required
@require_POST
def import_list(request):
    form = ImportForm(request.POST, request.FILES)
    outcome = None
    if form.is_valid():
        try:
            outcome = import_history(request.user, form.cleaned_data["list_file"])
        except ImportRefused as refusal:
            form.add_error("list_file", str(refusal))
    return render(
        request,
        "accounts/import_result.html",
        {"form": form, "outcome": outcome},
        status=200 if outcome else 422,
    )
