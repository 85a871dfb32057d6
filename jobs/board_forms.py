"""The job board's filter form: request.GET (or a saved search) in, a ListingQuery out.

A filter with a bad value gets an error beside it and is left out; the others still apply.
"""

from decimal import Decimal

from django import forms

from accounts.models import Country, Language
from core.categories import Category
from core.money import platform_currency, to_minor_units

from .models import JobPage
from .search.results import SORT_CHOICES, ListingQuery

MAX_QUERY_LENGTH = 200
# The id of the <form> on the board page; the sidebar's inputs join it with form="...".
FORM_ID = "job-filters"
MAX_HOURLY_PAY = Decimal(1000)


def _language_choices():
    return [("", "Any language"), *Language.objects.values_list("code", "name")]


def _country_choices():
    return [("", "Anywhere"), *Country.objects.values_list("code", "name")]


class ListingFilterForm(forms.Form):
    q = forms.CharField(
        label="Search jobs",
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Title, company or keyword"}
        ),
        error_messages={
            "max_length": f"Keep the search under {MAX_QUERY_LENGTH} characters; it was left out."
        },
    )
    category = forms.MultipleChoiceField(
        label="Category",
        required=False,
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose categories from the list."},
    )
    min_pay = forms.DecimalField(
        label="Minimum pay per hour",
        required=False,
        min_value=0,
        max_value=MAX_HOURLY_PAY,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"min": "0", "max": "1000", "step": "0.5"}),
        error_messages={
            "invalid": "Enter an hourly amount such as 15 or 12.50.",
            "min_value": "The minimum pay cannot be negative.",
            "max_value": "Enter at most 1,000 per hour.",
            "max_decimal_places": "Use at most 2 decimals.",
            "max_digits": "Enter at most 1,000 per hour.",
        },
    )
    language = forms.ChoiceField(
        label="Language",
        required=False,
        error_messages={"invalid_choice": "Choose a language from the list."},
    )
    country = forms.ChoiceField(
        label="Open to workers in",
        required=False,
        error_messages={"invalid_choice": "Choose a country from the list."},
    )
    experience = forms.ChoiceField(
        label="Experience",
        required=False,
        choices=[("", "Any experience"), *JobPage.Experience.choices],
        error_messages={"invalid_choice": "Choose an experience level from the list."},
    )
    company = forms.IntegerField(
        label="Company",
        required=False,
        min_value=1,
        max_value=2**62,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "Choose a company from the list.",
            "min_value": "Choose a company from the list.",
            "max_value": "Choose a company from the list.",
        },
    )
    no_test = forms.BooleanField(label="No test needed", required=False)
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=SORT_CHOICES,
        error_messages={"invalid_choice": "Sort by best match, newest or highest pay."},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "Page numbers are whole numbers from 1; showing page 1.",
            "min_value": "Page numbers are whole numbers from 1; showing page 1.",
            "max_value": "That page is far past the end; showing page 1.",
        },
    )

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data if data is not None else {}, *args, **kwargs)
        self.fields["min_pay"].label = f"Minimum pay per hour ({platform_currency()})"
        # Lists, not callables: validation and rendering then share one query each.
        self.fields["language"].choices = _language_choices()
        self.fields["country"].choices = _country_choices()
        for field in self.fields.values():
            field.widget.attrs["form"] = FORM_ID

    def to_query(self) -> ListingQuery:
        """The query of every filter that is valid; a filter with an error is left out."""
        self.is_valid()
        data = self.cleaned_data
        min_pay = data.get("min_pay")
        return ListingQuery(
            q=data.get("q") or "",
            categories=tuple(data.get("category") or ()),
            min_hourly_cents=(to_minor_units(min_pay, platform_currency()) if min_pay else None),
            language=data.get("language") or None,
            country=data.get("country") or None,
            experience=data.get("experience") or None,
            company=data.get("company") or None,
            no_test=bool(data.get("no_test")),
            sort=data.get("sort") or "",
            page=data.get("page") or 1,
        )
