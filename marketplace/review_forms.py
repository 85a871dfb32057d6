"""Forms of the review pages (company) and of the worker's history; they parse input only.

The decisions themselves are made by marketplace/review.py, disputes.py and ratings.py;
a refusal they raise is shown on the form with `add_service_error`.
"""

import uuid

from django import forms

from core.errors import LoopworkError
from core.money import to_minor_units

from .models import Assignment, Project
from .review_selectors import AGREEMENT_BANDS, GOLD_RESULTS, SubmissionFilters

MAX_COMMENT = 2000
MAX_MESSAGE = 4000
MAX_BULK = 200
STATUS_CHOICES = [
    ("", "All"),
    (Assignment.Status.SUBMITTED, "Waiting for review"),
    (Assignment.Status.REVISION, "Returned for revision"),
    (Assignment.Status.APPROVED, "Approved"),
    (Assignment.Status.REJECTED, "Rejected"),
]


class ServiceErrorMixin:
    def add_service_error(self, error: LoopworkError) -> None:
        self.add_error(error.field if error.field in self.fields else None, error.message)


class SubmissionFilterForm(forms.Form):
    worker = forms.CharField(
        required=False,
        max_length=20,
        label="Worker",
        widget=forms.TextInput(attrs={"placeholder": "W-3f9a1c20"}),
    )
    item = forms.CharField(
        required=False,
        max_length=200,
        label="Item",
        widget=forms.TextInput(attrs={"placeholder": "#12 or your id"}),
    )
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)
    gold = forms.ChoiceField(
        required=False,
        label="Gold result",
        choices=[("", "All"), *((key, label) for key, (label, _q) in GOLD_RESULTS.items())],
    )
    agreement = forms.ChoiceField(
        required=False,
        label="Agreement with others",
        choices=[("", "All"), *((key, label) for key, (label, _q) in AGREEMENT_BANDS.items())],
    )
    too_fast = forms.BooleanField(required=False, label="Too fast only")

    def to_filters(self) -> SubmissionFilters:
        """The valid filters; an invalid one is dropped (and shown as an error)."""
        if not self.is_bound:
            return SubmissionFilters()
        self.is_valid()
        data = self.cleaned_data
        return SubmissionFilters(
            worker=data.get("worker", ""),
            item=data.get("item", ""),
            status=data.get("status", ""),
            gold=data.get("gold", ""),
            agreement=data.get("agreement", ""),
            too_fast=bool(data.get("too_fast")),
        )


def _comment_field(label: str, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The worker sees this.",
    )


class RejectForm(ServiceErrorMixin, forms.Form):
    reason = forms.ChoiceField(choices=[("", "Choose a reason"), *Assignment.REVIEWER_REASONS])
    comment = _comment_field("Explain the rejection")


class RevisionForm(ServiceErrorMixin, forms.Form):
    comment = _comment_field("What should the worker change?")


class AssignmentIdsField(forms.Field):
    """Checked rows of the review list: a list of assignment ids."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value] if value else []
        ids = []
        for raw in values:
            try:
                ids.append(int(raw))
            except (TypeError, ValueError):
                raise forms.ValidationError("The selection could not be read.") from None
        return sorted(set(ids))

    def validate(self, value):
        if not value:
            raise forms.ValidationError("Select at least one submission.")
        if len(value) > MAX_BULK:
            raise forms.ValidationError(f"Select at most {MAX_BULK} submissions at a time.")


class BulkReviewForm(ServiceErrorMixin, forms.Form):
    assignment = AssignmentIdsField(label="Submissions")
    action = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    reason = forms.ChoiceField(
        required=False,
        label="Reason (to reject)",
        choices=[("", "Choose a reason"), *Assignment.REVIEWER_REASONS],
    )
    comment = forms.CharField(
        required=False,
        max_length=MAX_COMMENT,
        label="Comment (to reject)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == "reject":
            if not data.get("reason"):
                self.add_error("reason", "A rejection needs a reason.")
            if not (data.get("comment") or "").strip():
                self.add_error("comment", "A rejection needs a comment for the worker.")
        return data


class MessageForm(ServiceErrorMixin, forms.Form):
    message = forms.CharField(
        label="Your message",
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Say why the decision is wrong. Loopwork staff read it and decide.",
    )


SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]


def _score_field(label: str, help_text: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=help_text,
    )


class RatingForm(ServiceErrorMixin, forms.Form):
    clarity = _score_field("Clarity", "Were the instructions clear? 1 poor, 5 excellent.")
    fairness = _score_field("Fairness", "Were the decisions fair and explained?")
    review_speed = _score_field("Speed of review", "How quickly was your work reviewed?")
    comment = forms.CharField(
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Other workers see the averages, not your name.",
    )


class HistoryFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)
    project = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, choices=())

    def __init__(self, *args, projects: list[Project], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [("", "All projects")] + [
            (project.pk, project.title) for project in projects
        ]


class BonusForm(ServiceErrorMixin, forms.Form):
    """A bonus for the worker of one submission; `nonce` makes a double submit pay once."""

    amount = forms.CharField(
        label="Amount",
        max_length=12,
        help_text="E.g. 1.50. Paid from your balance, plus the platform fee.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    reason = forms.CharField(
        label="Reason",
        max_length=250,
        help_text="The worker reads it on their statement.",
    )
    nonce = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        if not self.is_bound:
            self.initial.setdefault("nonce", uuid.uuid4().hex)

    def clean_amount(self) -> int:
        try:
            cents = to_minor_units(self.cleaned_data["amount"].strip(), self.currency)
        except ValueError as error:
            raise forms.ValidationError("Write an amount such as 1.50.") from error
        if cents < 1:
            raise forms.ValidationError("The bonus must be more than zero.")
        return cents

    def add_service_error(self, error: LoopworkError) -> None:
        field = {"amount_cents": "amount"}.get(error.field, error.field)
        self.add_error(field if field in self.fields else None, error.message)
