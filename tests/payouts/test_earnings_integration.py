"""Earnings where they are caused: review decisions pay (or refuse whole), staff fraud
reversal, bonuses from the review page and the API, the project's pay floor setting, and
paid qualification tests. Reward 0.50 unless said; the fee is 20%."""

import datetime
import random

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.api_tokens import api_token_create
from accounts.models import Notification
from core.errors import LoopworkError
from jobs import qualification as attempts
from jobs.models import QualificationTest
from jobs.qualification_models import QualificationAttempt
from marketplace.disputes import dispute_open, dispute_resolve
from marketplace.models import Assignment, Project, ReviewDecision
from marketplace.review import (
    auto_approve_due,
    review_approve,
    review_bonus,
    review_bulk,
    review_reject,
    review_reverse_fraud,
)
from payouts import ledger
from payouts.models import EarningHold, LedgerAccount, LedgerEntry, LedgerTransaction
from tests.factories import (
    CompanyFactory,
    MembershipFactory,
    UserFactory,
    WorkerFactory,
    fund_company,
)
from tests.jobs.qualification_factories import answers_for, make_qualification_test
from tests.marketplace.factories import make_project, make_reviewer, make_submission

pytestmark = pytest.mark.django_db

Status = Assignment.Status
Kind = LedgerTransaction.Kind


@pytest.fixture(autouse=True)
def _money_settings(settings):
    settings.PAY_FLOOR_HOURLY_CENTS = 0
    settings.PLATFORM_FEE_PERCENT = 20
    settings.EARNINGS_HOLD_DAYS = 3


def escrow(project) -> int:
    return ledger.balance_of(ledger.project_escrow(project.pk))


def company_balance(company_id) -> int:
    return ledger.balance_of(ledger.company_balance(company_id))


def pending(worker) -> int:
    return ledger.balance_of(ledger.worker_pending(worker.pk))


def ledger_state() -> tuple:
    return (
        LedgerTransaction.objects.count(),
        LedgerEntry.objects.count(),
        EarningHold.objects.count(),
        sorted(LedgerAccount.objects.values_list("kind", "owner_id", "balance_cents")),
    )


def refused(call, *args, **kwargs) -> LoopworkError:
    with pytest.raises(LoopworkError) as caught:
        call(*args, **kwargs)
    return caught.value


def auth(user) -> dict:
    _token, secret = api_token_create(user=user, name="script")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


# --- Review decisions ---------------------------------------------------------------------


def test_an_approval_pays_from_the_escrow_in_the_decision_with_time_capped_at_the_lease():
    project = make_project(reward_cents=50, lease_seconds=600, escrow_cents=1000)
    submission = make_submission(project, WorkerFactory(), work_seconds=900)

    review_approve(submission.pk, reviewer=make_reviewer(project.company))

    paid = LedgerTransaction.objects.get(idempotency_key=f"approval:{submission.pk}")
    assert (paid.kind, paid.work_seconds, paid.source_label) == (Kind.APPROVAL, 600, project.title)
    assert paid.link == f"/work/history/?project={project.pk}#submission-{submission.pk}"
    assert (escrow(project), pending(submission.worker)) == (940, 50)


def test_an_approval_the_company_cannot_pay_is_refused_whole():
    project = make_project(reward_cents=50, escrow_cents=0)
    submission = make_submission(project, WorkerFactory())
    fund_company(project.company_id, 59)
    before = ledger_state()

    refusal = refused(review_approve, submission.pk, reviewer=make_reviewer(project.company))

    assert (refusal.code, refusal.status) == ("insufficient_balance", 409)
    submission.refresh_from_db()
    assert (submission.status, submission.reviewed_at) == (Status.SUBMITTED, None)
    assert not ReviewDecision.objects.exists()
    assert not Notification.objects.filter(user=submission.worker).exists()
    assert ledger_state() == before


def test_a_rejection_moves_no_money():
    project = make_project(reward_cents=50, escrow_cents=1000)
    submission = make_submission(project, WorkerFactory())
    before = ledger_state()

    review_reject(
        submission.pk,
        reviewer=make_reviewer(project.company),
        reason="disagrees",
        comment="Others said negative.",
    )

    assert ledger_state() == before


def test_an_overturned_rejection_is_paid_once():
    project = make_project(reward_cents=50, escrow_cents=1000)
    submission = make_submission(project, WorkerFactory())
    review_reject(
        submission.pk,
        reviewer=make_reviewer(project.company),
        reason="disagrees",
        comment="Others said negative.",
    )
    dispute = dispute_open(submission.pk, worker=submission.worker, message="I was right " * 3)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        Permission.objects.get(codename="change_dispute", content_type__app_label="marketplace")
    )
    staff = type(staff).objects.get(pk=staff.pk)

    dispute_resolve(dispute.pk, staff=staff, overturn=True, note="The worker is right.")

    assert LedgerTransaction.objects.filter(kind=Kind.APPROVAL).count() == 1
    assert pending(submission.worker) == 50


def test_bulk_approval_pays_what_the_money_covers_and_lists_the_rest():
    project = make_project(reward_cents=50, escrow_cents=100)
    first = make_submission(project, WorkerFactory())
    second = make_submission(project, WorkerFactory())

    outcome = review_bulk(
        [first.pk, second.pk], reviewer=make_reviewer(project.company), action="approve"
    )

    assert outcome.done == [first.pk]
    assert [pk for pk, _message in outcome.conflicts] == [second.pk]
    assert "too low to pay this approval" in outcome.conflicts[0][1]
    second.refresh_from_db()
    assert second.status == Status.SUBMITTED
    assert escrow(project) == 40


def test_automatic_approval_leaves_unpaid_submissions_due_until_the_company_tops_up():
    project = make_project(reward_cents=50, escrow_cents=0)
    submission = make_submission(project, WorkerFactory())
    later = submission.review_due_at + datetime.timedelta(minutes=1)

    assert auto_approve_due(now=later) == 0
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED
    fund_company(project.company_id, 60)
    assert auto_approve_due(now=later) == 1
    assert company_balance(project.company_id) == 0
    assert pending(submission.worker) == 50


def test_automatic_approval_pays_and_tells_a_batch_with_the_same_queries_whatever_its_size():
    project = make_project(reward_cents=50, escrow_cents=10_000)
    due_at = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
    later = due_at + datetime.timedelta(minutes=1)

    def due(count: int) -> list[Assignment]:
        return [
            make_submission(project, WorkerFactory(), review_due_at=due_at) for _ in range(count)
        ]

    due(1)
    assert auto_approve_due(now=later) == 1  # the project's and the platform's accounts exist
    due(3)
    with CaptureQueriesContext(connection) as small:
        assert auto_approve_due(now=later) == 3
    large_batch = due(12)
    with CaptureQueriesContext(connection) as large:
        assert auto_approve_due(now=later) == 12

    # Locks, ledger, status, audit rows and the workers' notices are all written per batch.
    assert len(large) == len(small)
    assert pending(large_batch[0].worker) == 50
    assert Notification.objects.filter(kind="assignment_approved").count() == 16
    assert ReviewDecision.objects.filter(action=ReviewDecision.Action.AUTO_APPROVED).count() == 16
    assert ledger.balance_differences() == []


def test_the_projects_pay_floor_tops_up_an_approval():
    project = make_project(
        reward_cents=50, lease_seconds=900, pay_floor_hourly_cents=1200, escrow_cents=1000
    )
    submission = make_submission(project, WorkerFactory(), work_seconds=600)

    review_approve(submission.pk, reviewer=make_reviewer(project.company))

    assert pending(submission.worker) == 200
    assert escrow(project) == 1000 - 60 - 180


# --- Fraud reversal -----------------------------------------------------------------------


def test_staff_fraud_reversal_takes_the_pay_back_records_and_tells_the_worker():
    project = make_project(reward_cents=50, escrow_cents=1000)
    submission = make_submission(project, WorkerFactory())
    review_approve(submission.pk, reviewer=make_reviewer(project.company))
    staff = UserFactory(is_staff=True)

    decision = review_reverse_fraud(submission.pk, staff=staff, reason="Answers were copied.")
    again = review_reverse_fraud(submission.pk, staff=staff, reason="Twice")

    assert again.pk == decision.pk
    assert (decision.action, decision.actor, decision.comment) == (
        ReviewDecision.Action.FRAUD_REVERSED,
        staff,
        "Answers were copied.",
    )
    assert (escrow(project), pending(submission.worker)) == (1000, 0)
    assert LedgerTransaction.objects.filter(kind=Kind.REVERSAL).count() == 1
    notice = Notification.objects.get(user=submission.worker, kind="payment_reversed")
    assert "Answers were copied." in notice.body


def test_only_an_approved_submission_can_be_reversed():
    project = make_project(reward_cents=50, escrow_cents=1000)
    submission = make_submission(project, WorkerFactory())

    refusal = refused(
        review_reverse_fraud, submission.pk, staff=UserFactory(is_staff=True), reason="Fraud"
    )

    assert (refusal.code, refusal.status) == ("not_approved", 409)
    assert not LedgerTransaction.objects.filter(kind=Kind.REVERSAL).exists()


# --- Bonuses ------------------------------------------------------------------------------


@pytest.fixture
def approved():
    project = make_project(reward_cents=50, escrow_cents=1000)
    submission = make_submission(project, WorkerFactory())
    review_approve(submission.pk, reviewer=make_reviewer(project.company))
    fund_company(project.company_id, 1000)
    return submission


def bonus_url(assignment) -> str:
    return f"/company/projects/{assignment.project_id}/review/{assignment.pk}/bonus/"


def test_an_owner_pays_a_bonus_from_the_review_page_once_per_form(client, approved):
    owner = make_reviewer(approved.project.company, role="owner")
    client.force_login(owner)
    page = client.get(f"/company/projects/{approved.project_id}/review/{approved.pk}/")
    assert "Pay a bonus" in page.content.decode()
    nonce = page.context["bonus_form"].initial["nonce"]
    form = {"amount": "1.50", "reason": "Hard item, great answer", "nonce": nonce}

    response = client.post(bonus_url(approved), form)
    client.post(bonus_url(approved), form)

    assert response.status_code == 302
    bonus = LedgerTransaction.objects.get(kind=Kind.BONUS)
    assert (bonus.description, bonus.created_by) == ("Bonus: Hard item, great answer", owner)
    assert company_balance(approved.project.company_id) == 1000 - 180
    assert pending(approved.worker) == 50 + 150
    assert Notification.objects.filter(user=approved.worker, kind="bonus").count() == 1


def test_a_bonus_the_balance_cannot_pay_is_a_form_error_and_nothing_moves(client, approved):
    client.force_login(make_reviewer(approved.project.company, role="manager"))
    before = ledger_state()

    response = client.post(bonus_url(approved), {"amount": "9", "reason": "Thanks", "nonce": "n1"})

    assert response.status_code == 400
    assert "too low" in response.content.decode()
    assert ledger_state() == before


def test_reviewers_and_other_companies_cannot_pay_bonuses(client, approved):
    client.force_login(make_reviewer(approved.project.company, role="reviewer"))
    assert (
        client.post(bonus_url(approved), {"amount": "1", "reason": "x", "nonce": "n"}).status_code
        == 403
    )
    client.force_login(MembershipFactory(company=CompanyFactory(), role="owner").user)
    assert (
        client.post(bonus_url(approved), {"amount": "1", "reason": "x", "nonce": "n"}).status_code
        == 404
    )
    assert not LedgerTransaction.objects.filter(kind=Kind.BONUS).exists()


def test_a_bonus_through_the_api_is_idempotent_on_the_clients_key(client, approved):
    owner = make_reviewer(approved.project.company, role="owner")
    body = {"amount_cents": 100, "reason": "Thanks", "idempotency_key": "script-1"}

    first = client.post(
        f"/api/v1/assignments/{approved.pk}/bonus",
        body,
        content_type="application/json",
        **auth(owner),
    )
    again = client.post(
        f"/api/v1/assignments/{approved.pk}/bonus",
        body,
        content_type="application/json",
        **auth(owner),
    )

    assert first.status_code == 200
    assert first.json()["amount_cents"] == 100
    assert first.json()["fee_cents"] == 20
    assert again.json()["id"] == first.json()["id"]
    assert company_balance(approved.project.company_id) == 880


def test_bonus_service_refuses_a_submission_without_an_answer():
    project = make_project(reward_cents=50, escrow_cents=1000)
    owner = make_reviewer(project.company, role="owner")
    fund_company(project.company_id, 1000)

    refusal = refused(
        review_bonus, 999_999, payer=owner, amount_cents=100, reason="x", idempotency_key="k"
    )

    assert refusal.status == 404


# --- The pay floor setting ----------------------------------------------------------------


def test_the_pay_floor_is_set_and_shown_through_the_api(client):
    owner = MembershipFactory(role="owner").user
    body = {
        "title": "Rate replies",
        "interface": "classification",
        "labels": ["good", "bad"],
        "reward_cents": 5,
        "pay_floor_hourly_cents": 1500,
    }

    created = client.post("/api/v1/projects", body, content_type="application/json", **auth(owner))
    too_high = client.post(
        "/api/v1/projects",
        {**body, "pay_floor_hourly_cents": 20_001},
        content_type="application/json",
        **auth(owner),
    )

    assert created.status_code == 201
    assert created.json()["pay_floor_hourly_cents"] == 1500
    assert Project.objects.get().pay_floor_hourly_cents == 1500
    assert too_high.status_code == 422


def test_after_launch_the_pay_floor_may_rise_but_not_fall(client):
    project = make_project(pay_floor_hourly_cents=1200)
    owner = make_reviewer(project.company, role="owner")
    url = f"/api/v1/projects/{project.pk}"

    lowered = client.patch(
        url, {"pay_floor_hourly_cents": 1000}, content_type="application/json", **auth(owner)
    )
    raised = client.patch(
        url, {"pay_floor_hourly_cents": 1300}, content_type="application/json", **auth(owner)
    )

    assert lowered.status_code == 409
    assert lowered.json()["error"]["code"] == "pay_floor_lowered"
    assert raised.status_code == 200
    project.refresh_from_db()
    assert project.pay_floor_hourly_cents == 1300


def test_the_project_form_reads_the_pay_floor_per_hour(client):
    project = make_project(status=Project.Status.DRAFT)
    client.force_login(make_reviewer(project.company, role="owner"))
    page = client.get(f"/company/projects/{project.pk}/edit/")
    assert "Pay floor per hour" in page.content.decode()
    form = page.context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name != "listings"
    }
    data.update(pay_floor_hourly="12.50")

    response = client.post(f"/company/projects/{project.pk}/edit/", data)
    bad = client.post(f"/company/projects/{project.pk}/edit/", {**data, "pay_floor_hourly": "x"})

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.pay_floor_hourly_cents == 1250
    assert "Write an hourly amount such as 12.00." in bad.content.decode()


# --- Paid qualification tests -------------------------------------------------------------


@pytest.fixture
def paid_test():
    company = CompanyFactory()
    test = make_qualification_test(company=company)
    QualificationTest.objects.filter(pk=test.pk).update(completion_payment_cents=200)
    test.refresh_from_db()
    return test


def start(test, worker):
    return attempts.attempt_start(worker=worker, test=test, rng=random.Random(1))


def test_a_paid_test_reserves_at_start_and_pays_every_completed_attempt(paid_test):
    fund_company(paid_test.company_id, 240)
    worker = WorkerFactory()

    attempt = start(paid_test, worker)
    assert attempt.payment_cents == 200
    assert company_balance(paid_test.company_id) == 0
    attempts.attempt_submit(
        attempt=attempt, worker=worker, answers=answers_for(attempt, correct=False)
    )

    attempt.refresh_from_db()
    assert attempt.status == QualificationAttempt.Status.FAILED
    paid = LedgerTransaction.objects.get(kind=Kind.TEST_PAYMENT)
    assert (paid.idempotency_key, paid.link) == (
        f"test_payment:{attempt.pk}",
        f"/work/attempts/{attempt.pk}/result/",
    )
    assert pending(worker) == 200
    assert ledger.balance_of(ledger.test_escrow(paid_test.pk)) == 0


def test_a_paid_test_the_company_cannot_fund_cannot_be_started(paid_test):
    fund_company(paid_test.company_id, 239)
    before = ledger_state()

    refusal = refused(start, paid_test, WorkerFactory())

    assert (refusal.code, refusal.status) == ("test_not_funded", 409)
    assert not QualificationAttempt.objects.exists()
    assert ledger_state() == before


def test_workers_see_the_payment_on_the_test_page(client, paid_test):
    worker = WorkerFactory()
    client.force_login(worker)

    page = client.get(f"/work/tests/{paid_test.pk}/").content.decode()

    assert "pays $2 for each completed attempt, passed or not" in page


def test_a_company_sets_a_payment_its_balance_can_fund(client, owner, company):
    from tests.jobs.test_qualification_views import editor_post, question_post

    client.force_login(owner)
    short = client.post(
        "/company/tests/new/", editor_post([question_post(0)], completion_payment="0.50")
    )
    assert short.status_code == 422
    assert "cannot fund one attempt" in short.content.decode()
    assert not QualificationTest.objects.exists()
    fund_company(company.pk, 60)

    saved = client.post(
        "/company/tests/new/", editor_post([question_post(0)], completion_payment="0.50")
    )

    assert saved.status_code == 302
    assert QualificationTest.objects.get().completion_payment_cents == 50
