"""The forms members fill in on a title page: a tear rating, a comment, a report."""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError

from reviews.models import Comment, Report, Stance, TearLevel

COMMENT_MAX_LENGTH = 5000


class RatingForm(forms.Form):
    tears = forms.TypedChoiceField(
        label="How hard did it make you cry?",
        choices=TearLevel.choices,
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
        label="Do you agree with the list's placement of this title?",
        choices=[
            (Stance.AGREE, "I agree with it"),
            (Stance.DISAGREE, "I disagree with it"),
            (Stance.NONE, "No stance"),
        ],
        initial=Stance.NONE,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose agree, disagree or no stance."},
    )

    class Meta:
        model = Comment
        fields = ["body", "is_spoiler", "stance"]
        labels = {"is_spoiler": "It contains spoilers (hide it until a reader reveals it)"}


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
