"""
The rating form with its optional extras ("Tell more"): the tears, and what made the
member cry, where it hit, how good it was and how it ends. Tears alone still make a
complete rating; every extra is checked here, with a message next to its field.
"""

from functools import cache, cached_property

from django import forms

from reviews.forms import Choices, RatingForm, quick_copies
from reviews.insights import MOST_CAUSES, causes_in_use, moment_label, moment_positions
from reviews.models import Ending, Quality
from sadlist.widgets import QuickCheckboxSelectMultiple, QuickRadioSelect, QuickSelect


class OfferedCauses(Choices):
    """
    The causes members may name, as choices, read the first time they are walked: when
    the form is shown, not when a sent form is checked (see CausesField).
    """

    def __init__(self, request):
        self.request = request

    @cached_property
    def pairs(self):
        return tuple((cause.pk, cause.name) for cause in causes_in_use(self.request))


class CausesField(forms.TypedMultipleChoiceField):
    """
    The causes a member names, by id. A sent form checks only that each is a whole
    number that can be an id: whether it is still offered is checked as the rating is
    written (Rating.objects.tell refuses, with CauseNotOffered, in a statement it runs
    anyway), so checking a rating reads neither the content version nor the list of
    causes. The view puts that refusal next to this field, in its words.
    """

    LARGEST_ID = 2**31 - 1

    def valid_value(self, value):
        text = str(value)
        return text.isascii() and text.isdigit() and int(text) <= self.LARGEST_ID


@cache
def moment_choices(movie, positions):
    """The moment field's choices for a movie, or a series of `positions` episodes."""
    return Choices(
        (
            ("", "No answer"),
            *((position, moment_label(movie, position)) for position in range(1, positions + 1)),
        )
    )


@quick_copies
class TellMoreForm(RatingForm):
    causes = CausesField(
        label=f"What made you cry? (up to {MOST_CAUSES})",
        coerce=int,
        required=False,
        widget=QuickCheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "%(value)s is not one of the causes offered (it may have been "
            "retired); choose from the list.",
        },
    )
    moment = forms.TypedChoiceField(
        label="Where did it hit hardest?",
        coerce=int,
        required=False,
        empty_value=None,
        widget=QuickSelect,
    )
    quality = forms.TypedChoiceField(
        label="How good was it, apart from the tears?",
        coerce=int,
        required=False,
        empty_value=None,
        choices=Choices((("", "No answer"), *Quality.choices)),
        widget=QuickRadioSelect,
        error_messages={
            "invalid_choice": "How good it was is a whole number from 1 (Weak) to 5 "
            "(A masterpiece); %(value)s is not one."
        },
    )
    ending = forms.TypedChoiceField(
        label="How does it end?",
        required=False,
        empty_value=None,
        choices=Choices((("", "No answer"), *Ending.choices)),
        widget=QuickRadioSelect,
        error_messages={
            "invalid_choice": "“%(value)s” is not one of the endings; choose devastating, "
            "bittersweet, hopeful or happy."
        },
    )

    def __init__(self, *args, title, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = title
        self.fields["causes"].choices = OfferedCauses(request)
        positions = moment_positions(title)
        if not positions:
            # A series whose episode count we do not know: nothing to point at.
            del self.fields["moment"]
            return
        moment = self.fields["moment"]
        movie = title.kind == title.Kind.MOVIE
        if movie:
            moment.label = "Where in the film did it hit hardest?"
            noun = f"a tenth of the film from 1 (the first) to {positions} (the last)"
        else:
            moment.label = "Which episode hit hardest?"
            noun = f"an episode from 1 to {positions}"
        moment.choices = moment_choices(movie, positions)
        moment.error_messages["invalid_choice"] = f"Choose {noun}; %(value)s is not one."

    def clean_causes(self):
        causes = self.cleaned_data["causes"]
        if len(causes) > MOST_CAUSES:
            raise forms.ValidationError(
                f"Name at most {MOST_CAUSES} causes; you chose {len(causes)}."
            )
        return causes

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("tears") == 0:
            dry = "A rating of 0 tears (Dry eyes) has nothing that made you cry: "
            if cleaned.get("causes"):
                self.add_error("causes", dry + "leave the causes empty, or choose more tears.")
            if cleaned.get("moment"):
                self.add_error("moment", dry + "leave the moment empty, or choose more tears.")
        return cleaned

    def not_offered(self, cause_id):
        """The causes field's message for a cause that is not, or no longer, offered."""
        causes = self.fields["causes"]
        self.add_error(
            "causes",
            forms.ValidationError(
                causes.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": cause_id},
            ),
        )

    def extras(self):
        """The cleaned extras, as rate_telling_more takes them."""
        return {
            "cause_ids": self.cleaned_data.get("causes", []),
            "moment": self.cleaned_data.get("moment"),
            "quality": self.cleaned_data.get("quality"),
            "ending": self.cleaned_data.get("ending"),
        }
