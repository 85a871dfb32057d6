"""Authoring qualification tests: the forms and services behind the company pages
(/company/tests/) and the staff pages in the Wagtail admin.

A test is edited on one page with its questions inline (a formset). Choice options are
typed one per line, a leading "*" marking a correct one; accepted short-text answers one
per line; a sample task names an annotation interface and gives its config, the item shown
and the gold answer as JSON. Each question is checked with the same rules as a JSON import
(for sample tasks: the interface's clean_config, clean_item and clean_answer).
"""

from decimal import Decimal

from django import forms
from django.db import transaction
from django.utils.text import slugify

from annotation.registry import interface_choices
from core.categories import Category
from core.errors import LoopworkError
from core.money import format_money, platform_currency, to_decimal, to_minor_units
from payouts import ledger
from payouts.earnings import TEST_PAYMENT_MAX_CENTS as MAX_COMPLETION_PAYMENT_CENTS
from payouts.fees import cost_with_fee_cents

from .models import QUALIFICATION_TEST_SETTINGS, Qualification, QualificationTest
from .qualification_io import _Errors, _question_fields, validate_question
from .qualification_models import QualificationQuestion


class TestForm(forms.ModelForm):
    """The test's settings plus the name of the qualification it grants."""

    qualification_name = forms.CharField(
        max_length=120,
        label="Qualification it grants",
        help_text="The skill workers hold after passing, e.g. “English search relevance rating”.",
    )

    class Meta:
        model = QualificationTest
        fields = list(QUALIFICATION_TEST_SETTINGS)
        widgets = {"instructions": forms.Textarea(attrs={"rows": 5})}
        labels = {
            "pass_score": "Pass score (%)",
            "time_limit_minutes": "Time limit (minutes)",
            "retake_cooldown_hours": "Retake cooldown (hours)",
            "questions_per_attempt": "Questions drawn per attempt",
            "grant_validity_days": "Qualification valid for (days)",
        }

    completion_payment = forms.CharField(
        required=False,
        max_length=12,
        label="Completion payment",
        help_text="Paid to the worker for every completed attempt, passed or not, from your "
        "balance (plus the platform fee), e.g. 0.50. Each attempt's payment is reserved when "
        "it starts; a worker cannot start while your balance cannot fund it. Empty or 0: unpaid.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args, company=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        if self.instance.pk:
            self.fields["qualification_name"].initial = self.instance.qualification.name
        if company is None:
            # Platform tests have no company to pay for them.
            del self.fields["completion_payment"]
        elif self.instance.completion_payment_cents:
            self.fields["completion_payment"].initial = str(
                to_decimal(self.instance.completion_payment_cents, platform_currency())
            )

    def clean_completion_payment(self) -> int:
        value = (self.cleaned_data.get("completion_payment") or "").strip()
        if not value:
            return 0
        try:
            cents = to_minor_units(value, platform_currency())
        except ValueError as error:
            raise forms.ValidationError("Write an amount such as 0.50.") from error
        if cents < 0 or cents > MAX_COMPLETION_PAYMENT_CENTS:
            raise forms.ValidationError(
                f"Pay from 0 to {format_money(MAX_COMPLETION_PAYMENT_CENTS)} per attempt."
            )
        return cents


def _interface_choices() -> list[tuple[str, str]]:
    return [("", "Choose an interface"), *interface_choices()]


class QuestionForm(forms.Form):
    """One question of the pool, its answer key in plain text fields."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=QualificationQuestion.Kind.choices)
    prompt = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    context = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=6000,
        help_text="Optional passage shown above the question (a search result, a chatbot reply).",
    )
    weight = forms.IntegerField(min_value=1, max_value=100, initial=1)
    options = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Choice questions: one option per line; start each correct one with *.",
    )
    accepted_answers = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Short text: accepted answers, one per line (case, accents and spaces ignored).",
    )
    regex = forms.CharField(
        required=False,
        max_length=200,
        label="Regular expression",
        help_text="Short text, optional: must match the whole normalised answer.",
    )
    numeric_answer = forms.DecimalField(
        required=False, max_digits=24, decimal_places=6, label="Numeric answer"
    )
    tolerance = forms.DecimalField(
        required=False, min_value=0, max_digits=24, decimal_places=6, initial=0
    )
    interface = forms.ChoiceField(
        required=False,
        choices=_interface_choices,
        label="Annotation interface",
        help_text="Sample task: the interface the worker uses, as in a real project.",
    )
    task_config = forms.JSONField(
        required=False,
        label="Interface config (JSON)",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text='Sample task: the label schema, e.g. {"labels": ["positive", "negative"]}.',
    )
    task_data = forms.JSONField(
        required=False,
        label="Item data (JSON)",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text='Sample task: what the worker sees, e.g. {"text": "Great phone."}.',
    )
    gold_answer = forms.JSONField(
        required=False,
        label="Gold answer (JSON)",
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text='Sample task: the expected answer, e.g. {"label": "positive"}. '
        "Never shown to workers before their attempt ends.",
    )
    task_tolerance = forms.FloatField(
        required=False,
        min_value=0,
        label="Sample task tolerance",
        help_text="The interface's tolerance (minimum box overlap for regions, edit distance "
        "for transcription…); empty for its default.",
    )
    explanation = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        help_text="Shown after the attempt when the test shows feedback.",
    )

    @staticmethod
    def initial_for(question: QualificationQuestion) -> dict:
        return {
            "id": question.pk,
            "kind": question.kind,
            "prompt": question.prompt,
            "context": question.context,
            "weight": question.weight,
            "options": "\n".join(
                ("*" if o.get("correct") else "") + o["text"] for o in question.options
            ),
            "accepted_answers": "\n".join(question.accepted_answers),
            "regex": question.regex,
            "numeric_answer": question.numeric_answer,
            "tolerance": question.tolerance,
            "interface": question.interface,
            "task_config": question.task_config or None,
            "task_data": question.task_data or None,
            "gold_answer": question.gold_answer,
            "task_tolerance": question.task_tolerance,
            "explanation": question.explanation,
        }

    def as_json(self) -> dict:
        data = self.cleaned_data
        result = {
            "kind": data["kind"],
            "prompt": data["prompt"],
            "context": data.get("context") or "",
            "weight": data["weight"],
            "explanation": data.get("explanation") or "",
        }
        if data["kind"] in ("single_choice", "multiple_choice"):
            result["options"] = [
                {"text": line.lstrip("*").strip(), "correct": line.startswith("*")}
                for line in (line.strip() for line in (data.get("options") or "").splitlines())
                if line.lstrip("*").strip()
            ]
        elif data["kind"] == "short_text":
            result["accepted_answers"] = [
                line.strip()
                for line in (data.get("accepted_answers") or "").splitlines()
                if line.strip()
            ]
            result["regex"] = data.get("regex") or None
        elif data["kind"] == "sample_task":
            result["interface"] = data.get("interface") or ""
            result["config"] = data.get("task_config")
            result["item"] = data.get("task_data")
            result["gold_answer"] = data.get("gold_answer")
            result["tolerance"] = data.get("task_tolerance")
        else:
            answer = data.get("numeric_answer")
            result["answer"] = float(answer) if answer is not None else None
            result["tolerance"] = float(data.get("tolerance") or Decimal(0))
        return result

    def clean(self):
        cleaned = super().clean()
        if self.errors or cleaned.get("DELETE"):
            return cleaned
        errors = _Errors()
        validate_question(self.as_json(), "question", errors)
        field_of = {
            "question.options": "options",
            "question.accepted_answers": "accepted_answers",
            "question.regex": "regex",
            "question.answer": "numeric_answer",
            "question.tolerance": "tolerance",
        }
        sample_task = cleaned.get("kind") == "sample_task"
        if sample_task:
            field_of = {
                "question.interface": "interface",
                "question.config": "task_config",
                "question.item": "task_data",
                "question.gold_answer": "gold_answer",
                "question.tolerance": "task_tolerance",
            }
        for error in errors:
            path, message = error.split(": ", 1)
            key = next((f for p, f in field_of.items() if path.startswith(p)), None)
            # Name the part of the JSON the interface refused, e.g. "labels" in the config.
            detail = path.split(".", 2)[2] if sample_task and path.count(".") >= 2 else ""
            message = message[0].upper() + message[1:].rstrip(".") + "."
            self.add_error(key, f"{message} ({detail})" if detail else message)
        return cleaned


QuestionFormSet = forms.formset_factory(QuestionForm, extra=1, can_delete=True, max_num=500)


def question_formset(*, test: QualificationTest | None, data=None) -> forms.BaseFormSet:
    initial = []
    if test is not None and test.pk:
        initial = [QuestionForm.initial_for(q) for q in test.questions.order_by("sort_order", "pk")]
    return QuestionFormSet(data=data, initial=initial, prefix="questions")


def _unique_slug(base: str) -> str:
    base = slugify(base)[:70] or "qualification"
    slug = base
    counter = 2
    while Qualification.objects.filter(slug=slug).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


@transaction.atomic
def qualification_test_save(
    *, form: TestForm, formset: forms.BaseFormSet, company=None
) -> QualificationTest:
    """Create or update a test and its whole question pool from the authoring page.

    Guarantees: all or nothing; a new test gets a new qualification owned by the same
    company; questions keep their ids (and option ids where the text is unchanged) so
    answers already given still refer to them; the pool must hold at least as many
    questions as each attempt draws; a test with attempts in progress keeps its pool.
    """
    test = form.save(commit=False)
    payment = form.cleaned_data.get("completion_payment") or 0
    if payment and company is None:
        raise LoopworkError(
            "Only a company's tests can pay for attempts.",
            code="paid_test_needs_company",
            field="completion_payment",
        )
    if payment:
        # A paid test must be fundable when it is published: at least one attempt.
        needed = cost_with_fee_cents(payment)
        balance = ledger.balance_of(ledger.company_balance(company.pk))
        if balance < needed:
            raise LoopworkError(
                f"Your balance ({format_money(balance)}) cannot fund one attempt "
                f"({format_money(needed)} with the platform fee). Top up first, or leave the "
                "test unpaid.",
                code="insufficient_balance",
                field="completion_payment",
            )
    test.completion_payment_cents = payment
    questions = [f for f in formset.forms if f.has_changed() or f.initial]
    keep = [f for f in questions if not f.cleaned_data.get("DELETE") and f.cleaned_data]
    if len(keep) < test.questions_per_attempt:
        raise LoopworkError(
            f"The test draws {test.questions_per_attempt} questions but its pool has "
            f"{len(keep)}: add questions or draw fewer.",
            code="pool_too_small",
            field="questions_per_attempt",
        )
    if test.pk is None:
        qualification = Qualification.objects.create(
            name=form.cleaned_data["qualification_name"],
            slug=_unique_slug(
                f"{company.slug}-{form.cleaned_data['qualification_name']}"
                if company
                else form.cleaned_data["qualification_name"]
            ),
            category=test.category,
            company=company,
        )
        test.qualification = qualification
        test.company = company
    else:
        if test.attempts.filter(status="in_progress").exists() and formset.has_changed():
            raise LoopworkError(
                "Attempts at this test are in progress: change its questions after they end.",
                code="attempts_in_progress",
            )
        qualification = test.qualification
        qualification.name = form.cleaned_data["qualification_name"]
        qualification.save(update_fields=["name", "updated_at"])
    test.save()
    existing = {q.pk: q for q in test.questions.all()}
    kept_ids = set()
    for position, question_form in enumerate(keep):
        question_id = question_form.cleaned_data.get("id")
        previous = existing.get(question_id)
        fields = _question_fields(question_form.as_json(), previous)
        if previous is None:
            previous = QualificationQuestion.objects.create(
                test=test, sort_order=position, **fields
            )
        else:
            for key, value in fields.items():
                setattr(previous, key, value)
            previous.sort_order = position
            previous.save()
        kept_ids.add(previous.pk)
    test.questions.exclude(pk__in=kept_ids).delete()
    return test


def category_label(value: str) -> str:
    return dict(Category.choices).get(value, value)
