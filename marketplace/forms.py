"""Forms of the company's project pages; they parse input, the services decide."""

import json

from django import forms
from django.db.models import Q

from annotation.registry import get_interface, interface_choices
from core.categories import Category
from core.errors import LoopworkError
from core.money import platform_currency, to_decimal, to_minor_units
from jobs.models import JobPage, Qualification

from .models import (
    DEFAULT_AUTO_APPROVE_HOURS,
    MAX_ESTIMATED_TASK_SECONDS,
    MAX_OVERLAP,
    MAX_PAY_FLOOR_HOURLY_CENTS,
    Project,
)
from .projects import (
    MAX_AUTO_APPROVE_HOURS,
    MAX_GOLD_RATE,
    MAX_MIN_WORK_SECONDS,
    settings_locked,
)

# Service field → the form field that shows its errors.
FORM_FIELDS = {
    "reward_cents": "reward",
    "lease_seconds": "lease_minutes",
    "auto_approve_hours": "auto_approve_amount",
    "pay_floor_hourly_cents": "pay_floor_hourly",
}
LOCKED_FORM_FIELDS = {
    "interface": "interface",
    "label_schema": "label_schema",
    "reward_cents": "reward",
    "estimated_task_seconds": "estimated_task_seconds",
}


class ProjectForm(forms.Form):
    title = forms.CharField(max_length=160)
    description = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the project is for; workers see it in their task list.",
    )
    instructions = forms.CharField(
        required=False,
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Shown beside every task. Simple HTML is allowed: paragraphs, lists, bold, "
        "italics, links and small headings; anything else is removed.",
    )
    category = forms.ChoiceField(choices=Category.choices)
    interface = forms.ChoiceField(
        label="Annotation interface",
        help_text="What workers do with each item. Fixed once the project is launched.",
    )
    label_schema = forms.CharField(
        label="Label schema (JSON)",
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "class": "code"}),
        help_text="The interface's settings, e.g. the labels to choose from. Pre-filled with "
        "an example for the chosen interface. Fixed once the project is launched.",
    )
    reward = forms.CharField(
        label="Reward per assignment",
        max_length=12,
        help_text="In your currency, e.g. 0.05. Fixed once the project is launched.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    estimated_task_seconds = forms.IntegerField(
        label="Time per task (seconds)",
        required=False,
        min_value=1,
        max_value=MAX_ESTIMATED_TASK_SECONDS,
        help_text="How long one task takes a careful worker. Workers see it (and the hourly "
        "rate it gives) until 20 answers are timed; at launch the reward must pay at least "
        "the pay floor for this time. Fixed once the project is launched.",
    )
    pay_floor_hourly = forms.CharField(
        label="Pay floor per hour",
        required=False,
        max_length=12,
        help_text="Minimum effective hourly pay, e.g. 12.00: when an approved task's "
        "measured time (up to the lease) shows the reward paid less, the worker gets "
        "a top-up (plus the platform fee) from the budget. The platform's own floor applies "
        "when it is higher. After launch it can rise but not fall.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    overlap = forms.IntegerField(
        min_value=1,
        max_value=MAX_OVERLAP,
        initial=1,
        help_text=f"How many different workers answer each item (1 to {MAX_OVERLAP}). After "
        "launch it can grow, and shrink only down to the answers items already have.",
    )
    lease_minutes = forms.IntegerField(
        label="Lease (minutes)",
        min_value=1,
        max_value=24 * 60,
        initial=10,
        help_text="How long a worker holds a task before it goes back to the pool.",
    )
    max_assignments_per_worker = forms.IntegerField(
        label="Most tasks per worker", required=False, min_value=1, help_text="Empty for no limit."
    )
    required_qualification = forms.ModelChoiceField(
        queryset=Qualification.objects.none(),
        required=False,
        empty_label="None: any accepted worker",
    )
    min_qualification_score = forms.IntegerField(
        label="Minimum qualification score", min_value=0, max_value=100, initial=0
    )
    listings = forms.ModelMultipleChoiceField(
        label="Linked job listings",
        queryset=JobPage.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each listing shows this project's pay, and /work/ shows the project under "
        "it. Only listings of task work can be linked.",
    )
    access = forms.ChoiceField(
        label="Who may take tasks",
        choices=Project.Access.choices,
        widget=forms.RadioSelect,
        help_text="Through its listings: only applicants a linked listing admitted (on passing "
        "its test, or by your decision). Open: every worker holding the required qualification.",
    )
    gold_rate = forms.IntegerField(
        label="Gold item rate (%)",
        min_value=0,
        max_value=MAX_GOLD_RATE,
        initial=0,
        help_text="Share of tasks that are gold (control) items, when you uploaded some.",
    )
    accuracy_threshold = forms.IntegerField(
        label="Accuracy threshold (%)",
        min_value=0,
        max_value=100,
        initial=0,
        help_text="Workers whose gold accuracy falls below it are stopped. 0 turns it off.",
    )
    min_gold_answers = forms.IntegerField(
        label="Gold answers before the threshold applies", min_value=0, max_value=1000, initial=5
    )
    show_gold_feedback = forms.BooleanField(
        label="Show workers the expected answer after a gold item", required=False, initial=True
    )
    revoke_qualification_on_stop = forms.BooleanField(
        label="Also revoke the required qualification when a worker is stopped",
        required=False,
        initial=False,
    )
    min_work_seconds = forms.IntegerField(
        label="Minimum work time (seconds)",
        required=False,
        min_value=0,
        max_value=MAX_MIN_WORK_SECONDS,
        initial=3,
        help_text="Answers given faster are flagged for review. 0 turns the check off.",
    )
    max_overlap = forms.IntegerField(
        label="Most answers per item",
        required=False,
        min_value=1,
        max_value=MAX_OVERLAP,
        help_text="Dynamic overlap: items whose result is uncertain get more answers, up to "
        "this many. Empty: never more than the overlap.",
    )
    confidence_target = forms.FloatField(
        label="Confidence target",
        required=False,
        min_value=0,
        max_value=1,
        initial=0.7,
        help_text="0 to 1. Items whose aggregated confidence is below it get more answers.",
        widget=forms.NumberInput(attrs={"step": "0.05"}),
    )
    auto_approve_amount = forms.IntegerField(
        label="Approve unreviewed work after",
        min_value=1,
        initial=3,
    )
    auto_approve_unit = forms.ChoiceField(
        label="Unit", choices=[("days", "days"), ("hours", "hours")], initial="days"
    )
    content_risk = forms.ChoiceField(
        label="Content risk",
        choices=Project.ContentRisk.choices,
        initial=Project.ContentRisk.NONE,
        help_text="Workers see a warning before risky tasks.",
    )
    daily_exposure_cap = forms.IntegerField(
        label="Daily exposure cap",
        required=False,
        min_value=1,
        help_text="For risky content (required then): the most tasks one worker may take in "
        "24 hours.",
    )

    def __init__(self, *args, company, project: Project | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.currency = project.currency if project else platform_currency()
        self.fields["interface"].choices = interface_choices()
        self.fields["required_qualification"].queryset = Qualification.objects.filter(
            Q(company__isnull=True) | Q(company=company)
        ).order_by("name")
        # Hourly work outside Loopwork states its own pay, so it cannot take a project's.
        self.fields["listings"].queryset = JobPage.objects.filter(
            company=company, pay_source=JobPage.PaySource.PROJECTS
        ).order_by("title")
        if not self.is_bound and project is None:
            has_listings = self.fields["listings"].queryset.exists()
            self.fields["access"].initial = (
                Project.Access.LISTINGS if has_listings else Project.Access.OPEN
            )
        self.locked = settings_locked(project) if project else ()
        for service_field in self.locked:
            name = LOCKED_FORM_FIELDS.get(service_field)
            if name:
                self.fields[name].disabled = True

    @classmethod
    def initial_for(cls, project: Project | None) -> dict:
        if project is None:
            first = next(iter(interface_choices()), ("", ""))[0]
            example = get_interface(first).example_config() if first else {}
            return {
                "interface": first,
                "label_schema": json.dumps(example, indent=2),
                "auto_approve_amount": DEFAULT_AUTO_APPROVE_HOURS // 24,
                "auto_approve_unit": "days",
            }
        hours = project.auto_approve_hours
        in_days = hours % 24 == 0
        return {
            "title": project.title,
            "description": project.description,
            "instructions": project.instructions,
            "category": project.category,
            "interface": project.interface,
            "label_schema": json.dumps(project.label_schema, indent=2),
            "reward": str(to_decimal(project.reward_cents, project.currency)),
            "estimated_task_seconds": project.estimated_task_seconds,
            "access": project.access,
            "overlap": project.overlap,
            "lease_minutes": max(1, project.lease_seconds // 60),
            "max_assignments_per_worker": project.max_assignments_per_worker,
            "required_qualification": project.required_qualification_id,
            "min_qualification_score": project.min_qualification_score,
            "listings": list(project.listings.values_list("pk", flat=True)),
            "gold_rate": project.gold_rate,
            "accuracy_threshold": project.accuracy_threshold,
            "min_gold_answers": project.min_gold_answers,
            "show_gold_feedback": project.show_gold_feedback,
            "revoke_qualification_on_stop": project.revoke_qualification_on_stop,
            "min_work_seconds": project.min_work_seconds,
            "max_overlap": project.max_overlap,
            "confidence_target": project.confidence_target,
            "auto_approve_amount": hours // 24 if in_days else hours,
            "auto_approve_unit": "days" if in_days else "hours",
            "content_risk": project.content_risk,
            "daily_exposure_cap": project.daily_exposure_cap,
            "pay_floor_hourly": (
                str(to_decimal(project.pay_floor_hourly_cents, project.currency))
                if project.pay_floor_hourly_cents
                else ""
            ),
        }

    def clean_label_schema(self):
        value = self.cleaned_data["label_schema"]
        if isinstance(value, dict):
            return value
        try:
            schema = json.loads(value)
        except ValueError as error:
            raise forms.ValidationError(f"This is not valid JSON: {error}.") from error
        if not isinstance(schema, dict):
            raise forms.ValidationError('Write a JSON object, e.g. {"labels": ["yes", "no"]}.')
        return schema

    def clean_reward(self):
        value = self.cleaned_data["reward"]
        try:
            cents = to_minor_units(value, self.currency)
        except ValueError as error:
            raise forms.ValidationError("Write an amount such as 0.05.") from error
        if cents < 1:
            raise forms.ValidationError("The reward must be more than zero.")
        if cents > 100_00:
            raise forms.ValidationError("The reward can be at most 100 per assignment.")
        return cents

    def clean_pay_floor_hourly(self):
        value = (self.cleaned_data["pay_floor_hourly"] or "").strip()
        if not value:
            return None
        try:
            cents = to_minor_units(value, self.currency)
        except ValueError as error:
            raise forms.ValidationError("Write an hourly amount such as 12.00.") from error
        if cents < 0 or cents > MAX_PAY_FLOOR_HOURLY_CENTS:
            most = to_decimal(MAX_PAY_FLOOR_HOURLY_CENTS, self.currency)
            raise forms.ValidationError(f"Give an hourly amount from 0 to {most}.")
        return cents or None

    def clean(self):
        cleaned = super().clean()
        amount = cleaned.get("auto_approve_amount")
        if amount:
            hours = amount * 24 if cleaned.get("auto_approve_unit") == "days" else amount
            if hours > MAX_AUTO_APPROVE_HOURS:
                self.add_error("auto_approve_amount", "At most 30 days.")
            cleaned["auto_approve_hours"] = hours
        risk = cleaned.get("content_risk")
        if risk and risk != Project.ContentRisk.NONE and not cleaned.get("daily_exposure_cap"):
            self.add_error(
                "daily_exposure_cap",
                "Risky content needs a daily exposure cap: the most tasks one worker may take "
                "in 24 hours.",
            )
        max_overlap, overlap = cleaned.get("max_overlap"), cleaned.get("overlap")
        if max_overlap is not None and overlap is not None and max_overlap < overlap:
            self.add_error("max_overlap", "Give at least the overlap, or leave it empty.")
        interface = cleaned.get("interface")
        schema = cleaned.get("label_schema")
        if interface and isinstance(schema, dict) and "label_schema" not in self.errors:
            try:
                cleaned["label_schema"] = get_interface(interface).clean_config(schema)
            except LoopworkError as error:
                self.add_error("label_schema", error.message)
        return cleaned

    def to_data(self) -> dict:
        """The settings for project_create / project_update, leaving out locked ones."""
        data = self.cleaned_data
        result = {
            "title": data["title"],
            "description": data["description"],
            "instructions": data["instructions"],
            "category": data["category"],
            "interface": data["interface"],
            "label_schema": data["label_schema"],
            "reward_cents": data["reward"],
            "estimated_task_seconds": data["estimated_task_seconds"],
            "access": data["access"],
            "overlap": data["overlap"],
            "lease_seconds": data["lease_minutes"] * 60,
            "max_assignments_per_worker": data["max_assignments_per_worker"],
            "required_qualification": data["required_qualification"],
            "min_qualification_score": data["min_qualification_score"],
            "listings": list(data["listings"]),
            "gold_rate": data["gold_rate"],
            "accuracy_threshold": data["accuracy_threshold"],
            "min_gold_answers": data["min_gold_answers"],
            "show_gold_feedback": data["show_gold_feedback"],
            "revoke_qualification_on_stop": data["revoke_qualification_on_stop"],
            "max_overlap": data["max_overlap"],
            "auto_approve_hours": data["auto_approve_hours"],
            "content_risk": data["content_risk"],
            "daily_exposure_cap": data["daily_exposure_cap"],
            "pay_floor_hourly_cents": data["pay_floor_hourly"],
        }
        # Left empty, these keep the project's value (the model's default for a new project).
        for field in ("min_work_seconds", "confidence_target"):
            if data[field] is not None:
                result[field] = data[field]
        for field in self.locked:
            result.pop(field, None)
        return result

    def add_service_error(self, error: LoopworkError) -> None:
        name = FORM_FIELDS.get(error.field, error.field)
        self.add_error(name if name in self.fields else None, error.message)

    def interface_examples(self) -> dict:
        """Each interface's example schema, for the script that pre-fills the schema field."""
        return {name: get_interface(name).example_config() for name, _label in interface_choices()}


class FileForm(forms.Form):
    file = forms.FileField(label="File")

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                f"The file is larger than {self.max_bytes // (1024 * 1024)} MB."
            )
        return upload


class ItemFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", "All"),
            ("waiting", "Waiting"),
            ("in_progress", "In progress"),
            ("done", "Done"),
        ],
    )
    kind = forms.ChoiceField(
        required=False, choices=[("", "All items"), ("work", "Work items"), ("gold", "Gold items")]
    )
