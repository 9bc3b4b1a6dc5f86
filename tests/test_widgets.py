"""The choice widgets that write their options in Python write what Django's templates write."""

import pytest
from django import forms
from django.test.html import parse_html

from catalogue.models import Title
from reviews.insight_forms import TellMoreForm
from sadlist.widgets import QuickCheckboxSelectMultiple, QuickRadioSelect, QuickSelect
from tests.factories import make_title
from tests.test_insights_ratings import seed_causes

CHOICES = [("", "No answer"), (1, "Weak"), (2, "<b>Uneven</b> & “odd”"), (3, "Good")]
PAIRS = [
    (QuickSelect, forms.Select),
    (QuickRadioSelect, forms.RadioSelect),
    (QuickCheckboxSelectMultiple, forms.CheckboxSelectMultiple),
]


def html(widget_class, value, attrs, choices=CHOICES):
    return parse_html(str(widget_class(choices=choices).render("pick", value, attrs)))


@pytest.mark.parametrize(("quick", "django_widget"), PAIRS)
@pytest.mark.parametrize("value", [None, "", 2, [1, 3], ["2"], "unknown"])
@pytest.mark.parametrize(
    "attrs",
    [
        None,
        {"id": "id_pick"},
        {"id": "id_pick", "class": "wide", "aria-invalid": "true", "disabled": True},
        {"id": "id_pick", "required": False, "data-x": '"quoted" <tag>'},
    ],
)
def test_quick_widgets_write_what_djangos_templates_write(quick, django_widget, value, attrs):
    mine = html(quick, value, attrs)
    assert mine == html(django_widget, value, attrs)
    # The label with markup in it is text, never tags.
    assert "<b>" not in str(quick(choices=CHOICES).render("pick", value, attrs))


@pytest.mark.parametrize(("quick", "django_widget"), PAIRS)
def test_grouped_choices_are_left_to_djangos_templates(quick, django_widget):
    grouped = [("Sad", [(1, "Weak"), (2, "Good")]), ("Happy", [(3, "Joy")])]
    assert html(quick, 2, {"id": "id_pick"}, grouped) == html(
        django_widget, 2, {"id": "id_pick"}, grouped
    )


def test_the_tell_more_form_shows_a_members_extras_checked(db):
    series = make_title("Clannad", kind=Title.Kind.SERIES, episodes=3)
    cause = seed_causes()["the-death-of-a-parent"]
    form = TellMoreForm(
        title=series,
        initial={"causes": [cause.pk], "moment": 2, "quality": 4, "ending": "bittersweet"},
    )
    page = "".join(str(field.as_field_group()) for field in form)
    assert f'value="{cause.pk}" id="id_causes_0" checked>' in page
    assert '<option value="2" selected>episode 2</option>' in page
    assert 'value="4" id="id_quality_4" checked>' in page
    assert 'value="bittersweet" id="id_ending_2" checked>' in page
