"""The registry of notification kinds: every kind the code sends is registered, and only those."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import Notification
from accounts.notification_kinds import (
    COMPANY_GROUPS,
    KINDS,
    WORKER_GROUPS,
    Audience,
    Channel,
    UnknownNotificationKind,
    kind_get,
    kinds_for,
)
from accounts.notifications import Notice, notify, notify_many

APPS = ("accounts", "annotation", "cms", "config", "core", "jobs", "marketplace", "payouts")
SENDERS = {"notify", "notify_many"}
# Calls whose kind is a variable, each with where its possible values are checked below.
DYNAMIC_KIND_CALLS = {
    ("accounts/notifications.py", "notify"),  # passes its own argument on to notify_many
    ("marketplace/review.py", "_notify_worker"),  # kinds from review.NOTICES
}

WORKER_KINDS = {
    "assignment_approved",
    "assignment_rejected",
    "revision_requested",
    "dispute_opened",
    "dispute_resolved",
    "bonus",
    "payment_reversed",
    "worker_stopped",
    "bank_payout_failed",
    "application_received",
    "application_admitted",
    "application_declined",
    "project_opened",
    "payout_held",
    "payout_paid",
}
COMPANY_KINDS = {
    "new_applicant",
    "listing_approved",
    "listing_changes_requested",
    "review_waiting",
    "budget_low",
}


def literal_kinds(expression) -> list[str] | None:
    """The kinds a `kind=` expression can be: a string, or either string of `a if x else b`."""
    if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
        return [expression.value]
    if isinstance(expression, ast.IfExp):
        body, orelse = literal_kinds(expression.body), literal_kinds(expression.orelse)
        if body is not None and orelse is not None:
            return body + orelse
    return None


def notify_calls():
    """(file, enclosing function, line, kind literal or None) of every notify call in our apps."""
    root = Path(settings.BASE_DIR)
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(function):
                    if not isinstance(node, ast.Call):
                        continue
                    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                    if name not in SENDERS:
                        continue
                    kind = next((k.value for k in node.keywords if k.arg == "kind"), None)
                    file = str(path.relative_to(root))
                    for literal in literal_kinds(kind) or [None]:
                        yield (file, function.name, node.lineno, literal)


def test_every_kind_the_code_sends_is_registered():
    calls = list(notify_calls())
    literal = {(f, line, kind) for f, _fn, line, kind in calls if kind is not None}
    dynamic = {(f, fn) for f, fn, _line, kind in calls if kind is None}

    assert [(f, line, kind) for f, line, kind in sorted(literal) if kind not in KINDS] == []
    assert dynamic == DYNAMIC_KIND_CALLS
    # The walk sees the real senders (so the check above is not vacuously true).
    assert {kind for _f, _line, kind in literal} >= {
        "bonus",
        "payment_reversed",
        "dispute_opened",
        "dispute_resolved",
        "worker_stopped",
        "bank_payout_failed",
        "payout_held",
        "payout_paid",
        "listing_approved",
        "listing_changes_requested",
        "review_waiting",
        "budget_low",
    }


def test_the_review_notices_use_registered_kinds():
    from marketplace.review import NOTICES

    assert {kind for kind, _title in NOTICES.values()} <= set(KINDS)


def test_the_registry_holds_exactly_the_agreed_kinds_with_their_audiences():
    assert {name for name, kind in KINDS.items() if kind.audience == Audience.WORKER} == (
        WORKER_KINDS
    )
    assert {name for name, kind in KINDS.items() if kind.audience == Audience.COMPANY} == (
        COMPANY_KINDS
    )
    assert set(KINDS) == WORKER_KINDS | COMPANY_KINDS


def test_every_kind_is_described_for_people_and_grouped_for_its_audience():
    for name, kind in KINDS.items():
        assert kind.name == name
        assert kind.label and kind.label[0].isupper()
        assert kind.description.endswith(".")
        assert kind.default in Channel.values
        assert len(name) <= Notification._meta.get_field("kind").max_length
        groups = WORKER_GROUPS if kind.audience == Audience.WORKER else COMPANY_GROUPS
        assert kind.group in groups, name


def test_frequent_good_news_stays_in_the_app_by_default_and_the_rest_is_emailed():
    assert kind_get("assignment_approved").default == Channel.APP
    assert {name for name, kind in KINDS.items() if kind.default == Channel.EMAIL} == (
        set(KINDS) - {"assignment_approved"}
    )


def test_each_audience_sees_its_own_kinds_and_someone_who_is_both_sees_both():
    assert {kind.name for kind in kinds_for(worker=True, company=False)} == WORKER_KINDS
    assert {kind.name for kind in kinds_for(worker=False, company=True)} == COMPANY_KINDS
    both = [kind.name for kind in kinds_for(worker=True, company=True)]
    assert set(both) == WORKER_KINDS | COMPANY_KINDS
    assert both.index("payout_paid") < both.index("new_applicant")  # worker groups first
    assert kinds_for(worker=False, company=False) == []


@pytest.mark.django_db
def test_notify_refuses_an_unregistered_kind_and_stores_nothing(worker):
    with pytest.raises(UnknownNotificationKind) as refusal:
        notify(worker, kind="assignment_aproved", title="A typo")
    assert "assignment_aproved" in str(refusal.value)
    with pytest.raises(UnknownNotificationKind):
        notify_many([Notice(worker, title="A typo")], kind="no_such_kind")
    assert Notification.objects.count() == 0
