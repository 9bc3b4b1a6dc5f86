"""
Choice widgets that write their options in Python.

Django renders each option of a choice widget through two or three templates of its
own (the option, its input, its attributes). The rating form's "Tell more" part, which
every member is shown on every title page, has about forty options: their templates
took half of that page's time. These widgets write the same markup as Django's
templates (tests/test_widgets.py compares the two), with the same escaping, in a
fraction of the time. Grouped choices are left to Django's templates.
"""

from django import forms
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe


def attributes(attrs):
    """As django/forms/widgets/attrs.html writes them: ` name="value"`, ` name` for True."""
    return mark_safe(  # noqa: S308 - every value is escaped by format_html
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


class QuickOptions:
    """Mixed into a ChoiceWidget: `render` writes the options without templates."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group for group, _, _ in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = [option for _, group, _ in widget["optgroups"] for option in group]
        return self.write(widget, options)


class QuickSelect(QuickOptions, forms.Select):
    def write(self, widget, options):
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            attributes(widget["attrs"]),
            format_html_join(
                "",
                '\n  <option value="{}"{}>{}</option>',
                (
                    (option["value"], attributes(option["attrs"]), option["label"])
                    for option in options
                ),
            ),
        )


class QuickRadioSelect(QuickOptions, forms.RadioSelect):
    def write(self, widget, options):
        container = widget["attrs"]
        return format_html(
            "<div{}{}>{}\n</div>",
            format_html(' id="{}"', container["id"]) if container.get("id") else "",
            format_html(' class="{}"', container["class"]) if container.get("class") else "",
            mark_safe("".join(self.write_option(option) for option in options)),  # noqa: S308
        )

    @staticmethod
    def write_option(option):
        label_for = option["attrs"].get("id")
        return format_html(
            '<div>\n    <label{}><input type="{}" name="{}"{}{}> {}</label></div>',
            format_html(' for="{}"', label_for) if label_for else "",
            option["type"],
            option["name"],
            format_html(' value="{}"', option["value"]) if option["value"] is not None else "",
            attributes(option["attrs"]),
            conditional_escape(option["label"]),
        )


class QuickCheckboxSelectMultiple(QuickRadioSelect, forms.CheckboxSelectMultiple):
    pass
