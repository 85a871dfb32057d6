"""The shared form-field include: each kind of widget gets the label people expect."""

from django import forms
from django.template.loader import render_to_string


class ChoicesForm(forms.Form):
    topics = forms.MultipleChoiceField(
        label="Topics", choices=[("a", "Alpha"), ("b", "Beta")], widget=forms.CheckboxSelectMultiple
    )
    agree = forms.BooleanField(label="I agree")
    name = forms.CharField(label="Name", required=False)


def render(field_name: str) -> str:
    return render_to_string("includes/field.html", {"field": ChoicesForm()[field_name]})


def test_a_group_of_checkboxes_is_a_fieldset_headed_by_its_label():
    html = render("topics")

    assert html.index("<legend>Topics</legend>") < html.index('type="checkbox"')
    assert html.count('type="checkbox"') == 2


def test_a_single_checkbox_sits_inside_its_label():
    html = render("agree")

    assert "<fieldset>" not in html
    assert html.index("<label>") < html.index('type="checkbox"') < html.index("I agree")


def test_an_optional_text_field_says_so():
    html = render("name")

    assert '<label for="id_name">Name <span class="muted small">(optional)</span></label>' in html
