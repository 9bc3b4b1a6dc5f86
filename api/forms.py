from django import forms

from api.models import AccessToken
from reviews.insight_forms import TellMoreForm
from reviews.insights import causes_in_use

# Enough for every program a member might connect, few enough to keep an eye on.
TOKENS_PER_MEMBER = 20


class TokenForm(forms.Form):
    name = forms.CharField(
        label="What is it for?",
        max_length=60,
        help_text="A name to recognise it by, such as “my tracker script”.",
        error_messages={
            "required": "Give the token a name, so you can tell it apart later.",
            "max_length": "A token's name can be at most 60 characters.",
        },
    )
    access = forms.ChoiceField(
        label="What may it do?",
        choices=[
            ("read", "Read only: your profile and the catalogue"),
            ("write", "Read and write: rate and comment as you"),
        ],
        initial="read",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose read only, or read and write."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        if AccessToken.objects.filter(user=self.user).count() >= TOKENS_PER_MEMBER:
            raise forms.ValidationError(
                f"You have {TOKENS_PER_MEMBER} tokens, the most we allow; revoke one you no "
                "longer use first."
            )
        return cleaned

    def save(self):
        return AccessToken.objects.issue(
            self.user, self.cleaned_data["name"], self.cleaned_data["access"] == "write"
        )


class RatingExtrasForm(TellMoreForm):
    """
    The title page's rating form with its extras (reviews.insight_forms.TellMoreForm),
    for programs: the same fields, rules and messages, but causes are named by their
    slug (stable and readable) rather than by the page's checkbox values.
    """

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        offered = causes_in_use(request)
        self.cause_ids = {cause.slug: cause.pk for cause in offered}
        # The page's field leaves unknown ids to the write; a program's slugs are
        # checked against the causes offered here, where they become ids.
        page_field = self.fields["causes"]
        self.fields["causes"] = forms.TypedMultipleChoiceField(
            label=page_field.label,
            required=False,
            choices=[(cause.slug, cause.name) for cause in offered],
            coerce=str,
            error_messages=page_field.error_messages,
        )

    def clean_causes(self):
        return [self.cause_ids[slug] for slug in super().clean_causes()]
