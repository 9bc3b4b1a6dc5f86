"""The forms members fill in on a title page: a tear rating, a comment, a report."""

import copy
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.choices import BaseChoiceIterator

from reviews.models import Comment, Report, Stance, TearLevel, listing_name, stance_problem
from reviews.models.comments import RANKED_STANCES, UNRANKED_STANCES, is_unranked

COMMENT_MAX_LENGTH = 5000


class Choices(BaseChoiceIterator):
    """
    Choices already in the shape Django normalises them to (value, label pairs), so
    that setting them on a field and its widget does not walk them again: the form
    is built for every rating sent, and most of its cost was that walk.
    """

    def __init__(self, pairs):
        self.pairs = pairs

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self):
        return len(self.pairs)

    def __copy__(self):
        # The pairs are a tuple of tuples of strings and numbers: a form's copy of its
        # fields, and their widgets' copies, may share them.
        return self

    def __deepcopy__(self, memo):
        return self


class QuickCopies(dict):
    """
    A form's fields (its base_fields), copied for each form built as Field.__deepcopy__
    copies them: each field with its own widget, widget attributes, error messages,
    validators and choices, so that a form may change its own. Written out, without
    `copy`'s general machinery: the rating form is built for every rating sent, and
    copying its fields was most of what building it cost. For fields of the plain
    kinds (choices, text), whose other attributes are not changed in place.
    """

    def __deepcopy__(self, memo):
        return {name: quick_copy(field) for name, field in self.items()}


def quick_copy(field):
    copied = _attributes_of(field)
    copied.widget = widget = _attributes_of(field.widget)
    widget.attrs = field.widget.attrs.copy()
    if "choices" in widget.__dict__:
        widget.choices = copy.copy(widget.choices)
    if "_choices" in copied.__dict__:
        copied._choices = copy.copy(copied._choices)
    copied.error_messages = field.error_messages.copy()
    copied.validators = field.validators[:]
    return copied


def _attributes_of(instance):
    """A new instance of the same class, with the same attributes."""
    copied = object.__new__(type(instance))
    copied.__dict__.update(instance.__dict__)
    return copied


def quick_copies(form_class):
    """Class decorator: the form's fields are copied by QuickCopies."""
    form_class.base_fields = QuickCopies(form_class.base_fields)
    return form_class


@quick_copies
class RatingForm(forms.Form):
    tears = forms.TypedChoiceField(
        label="How hard did it make you cry?",
        choices=Choices(tuple(TearLevel.choices)),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Pick a tear level from 0 to 5 before saving.",
            "invalid_choice": "A tear rating is a whole number from 0 (Dry eyes) to 5 "
            "(Cried a river); %(value)s is not one.",
        },
    )


class CommentBodyField(forms.CharField):
    """
    Comment text: surrounding whitespace stripped and line breaks normalised to \\n before
    the length is checked, so that a browser sending \\r\\n does not count twice. NUL
    bytes and other invisible control characters are refused here, with one clear
    message, before Django's own NUL check could add a vaguer one; text with nothing
    visible in it counts as empty.
    """

    def to_python(self, value):
        value = super().to_python(value).replace("\r\n", "\n").replace("\r", "\n")
        found = sorted({c for c in value if unicodedata.category(c) == "Cc" and c not in "\n\t"})
        if found:
            raise ValidationError(
                "Your comment contains invisible control characters (%(names)s), which we "
                "cannot store. Please remove them and post again.",
                code="control_characters",
                params={"names": ", ".join(f"U+{ord(c):04X}" for c in found)},
            )
        if not any(c.isprintable() and not c.isspace() for c in value):
            return ""  # only spaces or invisible marks (zero-width spaces…): as good as empty
        return value


class CommentForm(forms.ModelForm):
    body = CommentBodyField(
        label="Your comment",
        max_length=COMMENT_MAX_LENGTH,
        help_text="Plain text, up to 5,000 characters. Line breaks are kept; web links "
        "become clickable.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Write something before posting: a comment cannot be empty.",
            "max_length": "A comment can be at most 5,000 characters long "
            "(yours has %(show_value)d).",
        },
    )
    stance = forms.ChoiceField(
        label="Do you have a view on where the list places it?",
        choices=[(Stance.NONE, "No stance")],
        initial=Stance.NONE,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the answers shown."},
    )
    mention = forms.TypedChoiceField(
        label="Which list is your answer about?",
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": "That listing is not one of this title's; choose one of the "
            "lists shown."
        },
    )

    class Meta:
        model = Comment
        fields = ["body", "is_spoiler", "stance"]
        labels = {"is_spoiler": "It contains spoilers (hide it until a reader reveals it)"}

    def __init__(self, *args, title, mentions=(), **kwargs):
        """
        `mentions`: the `title`'s listings, with their sources. The stance question names
        the one listing, or asks which when the title is in two lists; a title in no
        list has no stance to give.
        """
        super().__init__(*args, **kwargs)
        # The box is shown before its label, where a trailing colon reads oddly.
        self.fields["is_spoiler"].label_suffix = ""
        self.title = title
        self.mentions = {mention.pk: mention for mention in mentions}
        if self.instance.pk and self.instance.mention_id in self.mentions:
            self.initial["mention"] = self.instance.mention_id
        stance, mention = self.fields["stance"], self.fields["mention"]
        mention.choices = [(pk, listing_name(each)) for pk, each in self.mentions.items()]
        stance.choices = self.stance_choices()
        if len(self.mentions) > 1:
            return
        del self.fields["mention"]
        if not self.mentions:
            # No list places it: nothing to take a side on.
            stance.widget = forms.HiddenInput()
            self.initial["stance"] = Stance.NONE
            return
        (only,) = self.mentions.values()
        if is_unranked(only):
            stance.label = f"Does it belong on the list? {listing_name(only)}."
        else:
            stance.label = f"Is it ranked right as {listing_name(only)}?"

    def stance_choices(self):
        kinds = {is_unranked(mention) for mention in self.mentions.values()}
        labels = {
            Stance.TOO_HIGH: "Ranked too high",
            Stance.AGREE: {
                frozenset([False]): "About right",
                frozenset([True]): "It belongs on the list",
            }.get(frozenset(kinds), "About right (or, for a recommendation, it belongs there)"),
            Stance.TOO_LOW: "Ranked too low",
            Stance.OFF_LIST: "It does not belong on the list",
        }
        offered = [
            *(RANKED_STANCES if False in kinds else []),
            *(UNRANKED_STANCES if True in kinds else []),
        ]
        choices = [(stance, labels[stance]) for stance in dict.fromkeys(offered)]
        return [*choices, (Stance.NONE, "No stance")]

    def clean(self):
        cleaned = super().clean()
        stance = cleaned.get("stance", Stance.NONE)
        if "stance" in self.errors or "mention" in self.errors:
            return cleaned
        if len(self.mentions) == 1:
            (mention,) = self.mentions.values()
        else:
            mention = self.mentions.get(cleaned.get("mention"))
        cleaned["stance"] = stance
        cleaned["mention"] = mention if stance != Stance.NONE else None
        if problem := stance_problem(self.title, stance, mention):
            field = "mention" if mention is None and "mention" in self.fields else "stance"
            self.add_error(field, problem)
        return cleaned


class ReportForm(forms.ModelForm):
    reason = forms.ChoiceField(
        label="What is wrong with this comment?",
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a reason for your report."},
    )

    class Meta:
        model = Report
        fields = ["reason", "text"]
        labels = {"text": "Tell the moderators more (needed for “Other”)"}
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def clean_text(self):
        return " ".join(self.cleaned_data["text"].split())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == Report.Reason.OTHER and not cleaned.get("text"):
            self.add_error("text", "Say what is wrong when you choose “Other”.")
        return cleaned


class ReplyForm(forms.ModelForm):
    """A reply: text and the spoiler flag, under the same rules as a comment's."""

    body = CommentForm.base_fields["body"]

    class Meta:
        model = Comment
        fields = ["body", "is_spoiler"]
        labels = {"is_spoiler": "It contains spoilers (hide it until a reader reveals it)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].label = "Your reply"
        self.fields["is_spoiler"].label_suffix = ""


class WatchlistPrivacyForm(forms.Form):
    watchlist_is_public = forms.BooleanField(
        label="Show my watchlist on my profile", required=False
    )
