"""Forms for applying to listings, authoring listings and deciding on applications."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone

from accounts.models import Company, Country, Language
from core.categories import Category
from core.money import platform_currency, to_decimal, to_minor_units

from .applications import MOTIVATION_MAX_LENGTH, NOTE_MAX_LENGTH
from .listing_authoring import (
    DESCRIPTION_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ListingInput,
)
from .models import Application, JobPage, QualificationTest


class ApplyForm(forms.Form):
    motivation = forms.CharField(
        label="Why are you a good fit?",
        max_length=MOTIVATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 7, "maxlength": MOTIVATION_MAX_LENGTH}),
        help_text=(
            "Mention similar work you have done, the languages you work in and the hours "
            f"you can give. Up to {MOTIVATION_MAX_LENGTH:,} characters."
        ),
    )


class ListingForm(forms.Form):
    """Everything a company writes about a listing; turned into a ListingInput."""

    title = forms.CharField(max_length=TITLE_MAX_LENGTH)
    category = forms.ChoiceField(choices=Category.choices)
    summary = forms.CharField(
        max_length=SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": SUMMARY_MAX_LENGTH}),
        help_text="One or two sentences shown on the job board.",
    )
    description = forms.CharField(
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=(
            "Plain text: leave a blank line between paragraphs. You may also use the HTML tags "
            "&lt;h3&gt;, &lt;strong&gt;, &lt;em&gt;, &lt;ul&gt;, &lt;ol&gt;, &lt;li&gt; and "
            "&lt;a href&gt;; anything else is removed."
        ),
    )
    pay_source = forms.ChoiceField(
        choices=JobPage.PaySource.choices,
        initial=JobPage.PaySource.PROJECTS,
        widget=forms.RadioSelect,
        label="How the work is paid",
        help_text="Task work is paid what its projects pay: link this listing from each "
        "project's settings, and the listing shows their reward and time per task.",
    )
    hourly_pay = forms.DecimalField(
        required=False,
        label="Pay per hour",
        min_value=Decimal("0.01"),
        max_digits=9,
        decimal_places=2,
        help_text="Only for hourly work outside Loopwork, in dollars, e.g. 18.50.",
    )
    admission = forms.ChoiceField(
        choices=JobPage.Admission.choices,
        initial=JobPage.Admission.ON_PASS,
        widget=forms.RadioSelect,
        label="Admit applicants",
        help_text="Admitted applicants can start the listing's tasks at once.",
    )
    hours_per_week = forms.IntegerField(min_value=1, max_value=60, initial=10)
    eligible_countries = forms.ModelMultipleChoiceField(
        queryset=Country.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked when people anywhere may apply.",
    )
    required_languages = forms.ModelMultipleChoiceField(
        queryset=Language.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    experience_level = forms.ChoiceField(choices=JobPage.Experience.choices)
    openings = forms.IntegerField(min_value=1, max_value=100_000, initial=10)
    deadline = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Applications close after this day.",
    )
    status = forms.ChoiceField(choices=JobPage.Status.choices, initial=JobPage.Status.OPEN)
    qualification_test = forms.ModelChoiceField(
        queryset=QualificationTest.objects.none(),
        required=False,
        empty_label="No test needed",
        help_text="Applicants take this test before you accept them.",
    )

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qualification_test"].queryset = QualificationTest.objects.filter(
            Q(company__isnull=True) | Q(company=company)
        ).order_by("title")

    @classmethod
    def initial_from(cls, page: JobPage) -> dict:
        return {
            "title": page.title,
            "category": page.category,
            "summary": page.summary,
            "description": page.description,
            "pay_source": page.pay_source,
            "hourly_pay": to_decimal(page.hourly_pay_cents, page.currency)
            if page.hourly_pay_cents
            else None,
            "admission": page.admission,
            "hours_per_week": page.hours_per_week,
            "eligible_countries": list(page.eligible_countries.all()),
            "required_languages": list(page.required_languages.all()),
            "experience_level": page.experience_level,
            "openings": page.openings,
            "deadline": page.deadline,
            "status": page.status,
            "qualification_test": page.qualification_test_id,
        }

    def clean_hourly_pay(self):
        amount = self.cleaned_data["hourly_pay"]
        if amount is None:
            return None
        try:
            return to_minor_units(amount, platform_currency())
        except ValueError as exc:
            raise forms.ValidationError("Use at most two decimals, e.g. 12.50.") from exc

    def clean_deadline(self):
        deadline = self.cleaned_data.get("deadline")
        if deadline is not None and deadline < timezone.localdate():
            raise forms.ValidationError("The deadline cannot be in the past.")
        return deadline

    def clean(self):
        cleaned = super().clean()
        hourly = cleaned.get("pay_source") == JobPage.PaySource.HOURLY
        if hourly and cleaned.get("hourly_pay") is None and "hourly_pay" not in self.errors:
            self.add_error("hourly_pay", "Say what the work pays per hour.")
        if not hourly:
            # Task work is paid what its projects pay: a typed number would only disagree.
            cleaned["hourly_pay"] = None
        return cleaned

    def to_input(self) -> ListingInput:
        data = self.cleaned_data
        return ListingInput(
            title=data["title"],
            category=data["category"],
            summary=data["summary"],
            description=data["description"],
            pay_source=data["pay_source"],
            hourly_pay_cents=data.get("hourly_pay"),
            admission=data["admission"],
            hours_per_week=data["hours_per_week"],
            experience_level=data["experience_level"],
            openings=data["openings"],
            deadline=data.get("deadline"),
            status=data["status"],
            qualification_test=data.get("qualification_test"),
            eligible_countries=list(data.get("eligible_countries") or []),
            required_languages=list(data.get("required_languages") or []),
        )


class ListingStatusForm(forms.Form):
    status = forms.ChoiceField(choices=JobPage.Status.choices, widget=forms.RadioSelect)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("admit", "Admit"), ("decline", "Decline")])
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        label="Note to the applicant",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX_LENGTH}),
        help_text="Needed to decline: the applicant reads your reason. Optional to admit.",
    )


class BulkDecisionForm(DecisionForm):
    """Admit or decline the applications ticked on the applications page."""

    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=False)

    def __init__(self, *args, decidable_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(pk, pk) for pk in decidable_ids]


class ApplicationFilterForm(forms.Form):
    listing = forms.ModelChoiceField(
        queryset=JobPage.objects.none(), required=False, empty_label="All listings"
    )
    status = forms.ChoiceField(
        choices=[("", "All statuses"), *Application.Status.choices], required=False
    )

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["listing"].queryset = JobPage.objects.filter(company=company).order_by("title")
