"""GOV.UK's date input and radios on every form (issue 13, item 5): three boxes in a fieldset,
refused in GOV.UK's words, and what was typed shown back."""

import datetime as dt

import pytest
from django import forms

from core.forms import DateField, GovukFormMixin


class MeetingForm(GovukFormMixin, forms.Form):
    held_on = DateField(label="Date of the meeting")
    next_on = DateField(label="Next meeting (optional)", required=False)
    announced = forms.ChoiceField(
        label="Was it announced?", choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect
    )


def _bound(**data):
    return MeetingForm({"announced": "yes", **data})


def _parts(name, day, month, year):
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


def test_three_boxes_make_a_date():
    form = _bound(**_parts("held_on", "7", "3", "2026"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["held_on"] == dt.date(2026, 3, 7)
    assert form.cleaned_data["next_on"] is None


def test_a_whole_iso_date_under_the_fields_name_is_still_taken():
    form = _bound(held_on="2026-03-07")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["held_on"] == dt.date(2026, 3, 7)


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("", "3", "2026"), "Date of the meeting must include a day"),
        (("7", "", ""), "Date of the meeting must include a month and a year"),
        (("31", "2", "2026"), "Date of the meeting must be a real date"),
        (("7", "13", "2026"), "Date of the meeting must be a real date"),
        (("7", "3", "26"), "Date of the meeting must be a real date"),
        (("seven", "3", "2026"), "Date of the meeting must be a real date"),
    ],
)
def test_a_date_that_is_not_whole_or_real_is_refused_in_govuk_words(parts, message):
    form = _bound(**_parts("held_on", *parts))
    assert not form.is_valid()
    assert form.errors["held_on"] == [message]


def test_an_optional_date_names_itself_without_optional():
    form = _bound(held_on="2026-03-07", **_parts("next_on", "", "4", "2026"))
    assert form.errors["next_on"] == ["Next meeting must include a day"]


def test_an_empty_required_date_is_required_and_still_checked_for_plausibility():
    assert "held_on" in _bound().errors
    form = _bound(**_parts("held_on", "1", "1", "1900"))
    assert not form.is_valid() and "held_on" in form.errors


def test_the_page_shows_a_fieldset_with_the_boxes_and_what_was_typed():
    from django.template.loader import render_to_string

    form = _bound(**_parts("held_on", "31", "2", "2026"))
    form.is_valid()
    html = render_to_string("includes/field.html", {"field": form["held_on"]})
    assert '<fieldset class="govuk-fieldset" role="group"' in html
    assert '<legend class="govuk-fieldset__legend">Date of the meeting</legend>' in html
    assert 'aria-describedby="id_held_on-hint id_held_on-error"' in html
    for i, (name, typed) in enumerate([("day", "31"), ("month", "2"), ("year", "2026")]):
        assert f'id="id_held_on_{i}" name="held_on_{name}"' in html
        assert f'value="{typed}"' in html
    assert html.count("govuk-input--error") == 3
    assert "must be a real date" in html
    summary = render_to_string("includes/error_summary.html", {"form": form})
    assert 'href="#id_held_on_0"' in summary


def test_an_initial_date_fills_the_boxes():
    from django.template.loader import render_to_string

    form = MeetingForm(initial={"held_on": dt.date(2026, 11, 5)})
    html = render_to_string("includes/field.html", {"field": form["held_on"]})
    assert 'name="held_on_day" type="text" inputmode="numeric" autocomplete="off" value="5"' in html
    assert 'value="11"' in html and 'value="2026"' in html


def test_a_short_choice_is_radios_in_a_fieldset():
    from django.template.loader import render_to_string

    form = MeetingForm({})
    form.is_valid()
    html = render_to_string("includes/field.html", {"field": form["announced"]})
    assert 'class="govuk-radios govuk-radios--small"' in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">' in html
    assert html.count('type="radio"') == 2 and "<select" not in html


def test_no_template_comment_spans_lines():
    """Django's {# #} comments end on their line: one spanning lines is printed on the page
    (it was, above every field, for a moment in issue 13)."""
    from pathlib import Path

    from django.conf import settings

    open_comments = [
        f"{path}:{n}"
        for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if "{#" in line and "#}" not in line[line.index("{#") :]
    ]
    assert open_comments == []


def test_a_question_left_unanswered_is_named_in_govuk_words_never_djangos():
    form = MeetingForm({})
    assert not form.is_valid()
    assert form.errors["held_on"] == ["Enter the date of the meeting"]
    assert form.errors["announced"] == ["Answer “Was it announced?”"]
    assert "This field is required." not in str(form.errors)


def test_a_yes_no_question_and_a_choice_are_named_as_questions():
    class Asked(GovukFormMixin, forms.Form):
        asked = forms.ChoiceField(
            label="The family has asked in writing",
            choices=[("yes", "Yes"), ("no", "No")],
            widget=forms.RadioSelect,
        )
        severity = forms.ChoiceField(label="Severity", choices=[("low", "Low"), ("high", "High")])
        reference = forms.CharField(label="Client's Carefirst record reference")

    errors = Asked({}).errors
    assert errors["asked"] == ["Answer “The family has asked in writing”"]
    assert errors["severity"] == ["Select the severity"]
    assert errors["reference"] == ["Enter the client's Carefirst record reference"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # The boxes win over a whole date sent beside them.
        ({"held_on": "2026-01-01", **_parts("held_on", "7", "3", "2026")}, dt.date(2026, 3, 7)),
        ({"held_on": "2026-02-30"}, "Date of the meeting must be a real date"),
        ({"held_on": "31/02/2025"}, "Date of the meeting must be a real date"),
        ({"held_on": "tomorrow"}, "Date of the meeting must be a real date"),
        (_parts("held_on", "٣", "3", "2026"), "Date of the meeting must be a real date"),
        (_parts("held_on", "1", "3", "２０２６"), "Date of the meeting must be a real date"),
    ],
)
def test_what_was_sent_is_read_as_a_person_meant_it_or_refused(data, expected):
    form = _bound(**data)
    if isinstance(expected, dt.date):
        assert form.is_valid(), form.errors
        assert form.cleaned_data["held_on"] == expected
    else:
        assert form.errors["held_on"] == [expected]


def test_an_impossible_iso_date_comes_back_in_the_boxes():
    from django.template.loader import render_to_string

    form = _bound(held_on="2026-02-30")
    form.is_valid()
    html = render_to_string("includes/field.html", {"field": form["held_on"]})
    assert 'value="30"' in html and 'value="02"' in html and 'value="2026"' in html


def test_an_initial_date_and_time_fills_the_boxes_with_its_date():
    from django.template.loader import render_to_string

    form = MeetingForm(initial={"held_on": "2026-03-27T10:00:00"})
    html = render_to_string("includes/field.html", {"field": form["held_on"]})
    assert 'value="27"' in html and 'value="3"' in html
