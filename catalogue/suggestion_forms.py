"""The member's suggestion form, and the curator's decision about a suggestion."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from catalogue.models import Title
from catalogue.suggestions import Suggestion


class SuggestionForm(forms.ModelForm):
    """
    A suggestion in the member's words. Before it is saved, a name that matches a title
    or another open suggestion (ignoring case, accents and punctuation) is shown next to
    the name; the member ticks `not_a_duplicate` to send it anyway.
    """

    seen_at = forms.URLField(
        label="Where you saw it recommended",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Optional: a link to the article or list.",
        error_messages={"invalid": "Give a web address starting with http:// or https://."},
    )
    # Declared here so that the one message is the first said (a model field's form
    # field would first say "greater than or equal to 0").
    episodes = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=32767,
        error_messages={
            "min_value": "A series has at least one episode.",
            "invalid": "Give the number of episodes as a whole number.",
        },
    )
    runtime_minutes = forms.IntegerField(
        label="Running time (minutes)",
        required=False,
        min_value=1,
        max_value=32767,
        error_messages={
            "min_value": "A running time is at least one minute.",
            "invalid": "Give the running time in whole minutes.",
        },
    )
    not_a_duplicate = forms.BooleanField(
        label="It is a different title from the ones shown", required=False
    )

    class Meta:
        model = Suggestion
        fields = Suggestion.MEMBER_FIELDS
        widgets = {
            "kind": forms.RadioSelect,
            "other_names": forms.Textarea(attrs={"rows": 2}),
            "why_it_hurts": forms.Textarea(attrs={"rows": 5}),
        }
        error_messages = {
            "year": {"invalid": "Give the year as a number, like 2008."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["not_a_duplicate"].label_suffix = ""
        self.fields["kind"].choices = Title.Kind.choices
        self.titles, self.suggestions = [], []

    def clean(self):
        cleaned = super().clean()
        names = [
            cleaned.get("name", ""),
            cleaned.get("original_name", ""),
            *cleaned.get("other_names", "").splitlines(),
        ]
        self.titles, self.suggestions = Suggestion.objects.matching(*names)
        if (self.titles or self.suggestions) and not cleaned.get("not_a_duplicate"):
            self.add_error("name", ValidationError(self.did_you_mean()))
        return cleaned

    def did_you_mean(self):
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((title.get_absolute_url(), title.name) for title in self.titles if title.is_published),
        )
        named = [title.name for title in self.titles if not title.is_published]
        named += [f"{each.name} (suggested, waiting for a curator)" for each in self.suggestions]
        also = ", ".join(named)
        return format_html(
            "Did you mean {}{}{}? If yours is a different title, tick the box below and "
            "send again.",
            links,
            ", " if links and also else "",
            also,
        )

    def suggestion_fields(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class SuggestionDecisionForm(forms.ModelForm):
    """What a curator decides about an open suggestion, in the admin."""

    DECISIONS = [
        ("", "Not yet"),
        ("accept", "Accept: create an unpublished title from it, to finish and publish"),
        ("merge", "Merge into a title we already have"),
        ("decline", "Decline, with a reason the member will read"),
    ]
    decision = forms.ChoiceField(choices=DECISIONS, required=False, widget=forms.RadioSelect)
    merge_into = forms.ModelChoiceField(
        Title.objects.order_by("name"), required=False, label="Title to merge into"
    )
    reason = forms.CharField(
        required=False, max_length=500, label="Reason for declining", widget=forms.Textarea
    )

    class Meta:
        model = Suggestion
        fields = []

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision and self.instance.state != Suggestion.State.OPEN:
            raise ValidationError("This suggestion was already decided.")
        if decision == "merge" and not cleaned.get("merge_into"):
            self.add_error("merge_into", "Choose the title it is the same as.")
        if decision == "decline" and not " ".join(cleaned.get("reason", "").split()):
            self.add_error("reason", "Say why, for the member to read.")
        return cleaned

    def decide(self):
        """Apply the decision; a sentence for the admin's history, or "" for none."""
        suggestion, decision = self.instance, self.cleaned_data.get("decision")
        if decision == "accept":
            title = suggestion.accept()
            return f"Accepted: created the unpublished title “{title.name}” ({title.slug})."
        if decision == "merge":
            suggestion.merge_into(self.cleaned_data["merge_into"])
            return f"Merged into “{self.cleaned_data['merge_into'].name}”."
        if decision == "decline":
            suggestion.decline(self.cleaned_data["reason"])
            return f"Declined: {suggestion.decline_reason}"
        return ""
