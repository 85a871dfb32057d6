"""How a listing admits applicants, the way forward at each step, and who hears about it."""

import datetime

import pytest

from accounts.models import Notification
from core.errors import LoopworkError
from jobs import qualification as services
from jobs.applications import (
    application_decide,
    application_next_step,
    application_submit,
    applications_decide_bulk,
)
from jobs.models import Application, JobPage
from tests.factories import (
    CompanyFactory,
    MembershipFactory,
    make_application,
    make_job,
)
from tests.jobs.qualification_factories import answers_for, make_qualification_test

pytestmark = pytest.mark.django_db

MOTIVATION = "I tagged entities in news for a year."


def pass_test(worker, test):
    attempt = services.attempt_start(worker=worker, test=test)
    return services.attempt_submit(
        attempt=attempt, worker=worker, answers=answers_for(attempt, correct=True)
    )


def kinds(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


# --- Admission on passing ----------------------------------------------------------------


def test_a_listing_without_a_test_that_admits_on_passing_admits_at_once(site_tree, worker):
    job = make_job(admission=JobPage.Admission.ON_PASS)

    application = application_submit(worker=worker, job=job, motivation=MOTIVATION)

    assert application.status == Application.Status.ACTIVE
    assert application.events.get().note == "Admitted at once: this listing needs no test."
    assert kinds(worker) == ["application_admitted"]


def test_passing_the_test_admits_the_applicant(site_tree, worker):
    test = make_qualification_test()
    job = make_job(admission=JobPage.Admission.ON_PASS, qualification_test=test, task_pay=(12, 45))
    application = application_submit(worker=worker, job=job, motivation=MOTIVATION)
    assert application.status == Application.Status.TEST_REQUIRED
    assert kinds(worker) == ["application_received"]

    attempt = pass_test(worker, test)

    assert attempt.passed
    application.refresh_from_db()
    assert application.status == Application.Status.ACTIVE
    assert application.events.last().note.endswith("Admitted on passing.")
    assert kinds(worker)[0] == "application_admitted"  # newest first
    step = application_next_step(application)
    assert (step.action_label, step.action_url, step.start_tasks) == (
        "Start tasks",
        f"/work/listings/{job.pk}/tasks/",
        True,
    )


def test_failing_the_test_admits_nobody(site_tree, worker):
    test = make_qualification_test()
    job = make_job(admission=JobPage.Admission.ON_PASS, qualification_test=test)
    application = application_submit(worker=worker, job=job, motivation=MOTIVATION)
    attempt = services.attempt_start(worker=worker, test=test)

    services.attempt_submit(
        attempt=attempt, worker=worker, answers=answers_for(attempt, correct=False)
    )

    application.refresh_from_db()
    assert application.status == Application.Status.TEST_REQUIRED


def test_a_worker_who_already_holds_the_qualification_is_admitted_on_applying(site_tree, worker):
    test = make_qualification_test()
    pass_test(worker, test)
    job = make_job(admission=JobPage.Admission.ON_PASS, qualification_test=test)

    application = application_submit(worker=worker, job=job, motivation=MOTIVATION)

    assert application.status == Application.Status.ACTIVE


# --- Admission by the company's decision -------------------------------------------------


def test_passing_the_test_of_a_company_decided_listing_waits_for_the_company(site_tree, worker):
    test = make_qualification_test()
    company = CompanyFactory(name="Brightloom Labs")
    job = make_job(company=company, qualification_test=test)
    application = application_submit(worker=worker, job=job, motivation=MOTIVATION)

    pass_test(worker, test)

    application.refresh_from_db()
    assert application.status == Application.Status.QUALIFIED
    step = application_next_step(application)
    assert step.title == "Waiting for Brightloom Labs"
    assert step.text == (
        "You passed the test. Brightloom Labs reviews each application; it has no record of "
        "decision times yet; you will hear by email and in your notifications."
    )
    assert not step.action_url


def test_the_next_step_names_how_long_the_company_takes(site_tree, company, owner):
    job = make_job(company=company)
    for _ in range(3):
        decided = make_application(job=job)
        Application.objects.filter(pk=decided.pk).update(
            created_at=decided.created_at - datetime.timedelta(days=2)
        )
        decided.refresh_from_db()
        application_decide(application=decided, actor=owner, decision="admit")
    waiting = make_application(job=job)

    assert "decides on applications within about 2 days" in application_next_step(waiting).text


def test_the_company_is_told_of_a_new_applicant(site_tree, company, worker):
    owner = MembershipFactory(company=company, role="owner").user
    manager = MembershipFactory(company=company, role="manager").user
    reviewer = MembershipFactory(company=company, role="reviewer").user
    job = make_job(company=company)

    application_submit(worker=worker, job=job, motivation=MOTIVATION)

    assert kinds(owner) == kinds(manager) == ["new_applicant"]
    assert kinds(reviewer) == []
    assert kinds(worker) == ["application_received"]


def test_a_declined_applicant_reads_the_reason(site_tree, company, owner, worker):
    application = make_application(worker=worker, job=make_job(company=company))

    declined = application_decide(
        application=application, actor=owner, decision="decline", note="We need German."
    )

    notice = Notification.objects.get(user=worker)
    assert notice.kind == "application_declined"
    assert notice.body.endswith("Their reason: We need German.")
    assert application_next_step(declined).text.endswith("Their reason: We need German.")


# --- Bulk decisions ------------------------------------------------------------------------


def test_bulk_admits_each_and_lists_the_ones_it_could_not(site_tree, company, owner):
    job = make_job(company=company)
    waiting = [make_application(job=job) for _ in range(3)]
    decided = make_application(job=job, status=Application.Status.REJECTED)
    foreign = make_application()

    outcome = applications_decide_bulk(
        application_ids=[*(a.pk for a in waiting), decided.pk, foreign.pk],
        company=company,
        actor=owner,
        decision="admit",
    )

    assert outcome.done == sorted(a.pk for a in waiting)
    assert [pk for pk, _why in outcome.conflicts] == [decided.pk, foreign.pk]
    assert set(Application.objects.filter(job=job).values_list("status", flat=True)) == {
        Application.Status.ACTIVE,
        Application.Status.REJECTED,
    }
    foreign.refresh_from_db()
    assert foreign.status == Application.Status.SUBMITTED


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"decision": "decline", "note": ""}, "reason_required"),
        ({"decision": "maybe"}, "bad_decision"),
        ({"decision": "admit", "application_ids": []}, "nothing_selected"),
        ({"decision": "admit", "application_ids": ["x"]}, "invalid_ids"),
    ],
)
def test_bulk_refuses_bad_input_whole(site_tree, company, owner, kwargs, code):
    application = make_application(job=make_job(company=company))
    arguments = {"application_ids": [application.pk], **kwargs}

    with pytest.raises(LoopworkError) as refusal:
        applications_decide_bulk(company=company, actor=owner, **arguments)

    assert refusal.value.code == code
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_a_reviewer_cannot_decide_in_bulk(site_tree, company):
    reviewer = MembershipFactory(company=company, role="reviewer").user
    application = make_application(job=make_job(company=company))

    with pytest.raises(LoopworkError) as refusal:
        applications_decide_bulk(
            application_ids=[application.pk], company=company, actor=reviewer, decision="admit"
        )

    assert refusal.value.code == "not_allowed"


def test_the_applications_page_decides_the_ticked_ones(site_tree, company, owner, client):
    job = make_job(company=company)
    ticked, left = make_application(job=job), make_application(job=job)
    client.force_login(owner)

    page = client.get("/company/applications/")
    response = client.post(
        "/company/applications/decide/",
        {"ids": [ticked.pk], "decision": "decline", "note": "The roles are filled."},
    )

    assert f'name="ids" value="{ticked.pk}"'.encode() in page.content
    assert response.status_code == 302
    ticked.refresh_from_db()
    left.refresh_from_db()
    assert (ticked.status, left.status) == (
        Application.Status.REJECTED,
        Application.Status.SUBMITTED,
    )


# --- The way shown on the pages ------------------------------------------------------------


def test_the_listing_page_shows_start_tasks_once_admitted(site_tree, worker, worker_client):
    job = make_job(admission=JobPage.Admission.ON_PASS, task_pay=(12, 45))
    application_submit(worker=worker, job=job, motivation=MOTIVATION)

    page = worker_client.get(job.url).content.decode()

    assert "You are admitted" in page
    assert f'href="/work/listings/{job.pk}/tasks/">Start tasks</a>' in page


def test_the_listing_page_says_who_decides_while_waiting(site_tree, worker, worker_client):
    company = CompanyFactory(name="Brightloom Labs")
    job = make_job(company=company)
    application_submit(worker=worker, job=job, motivation=MOTIVATION)

    page = worker_client.get(job.url).content.decode()

    assert "Waiting for Brightloom Labs" in page
    assert "Start tasks" not in page


def test_the_test_result_shows_the_way_to_the_tasks(site_tree, worker, worker_client):
    test = make_qualification_test()
    job = make_job(admission=JobPage.Admission.ON_PASS, qualification_test=test, task_pay=(12, 45))
    application_submit(worker=worker, job=job, motivation=MOTIVATION)
    attempt = pass_test(worker, test)

    page = worker_client.get(f"/work/attempts/{attempt.pk}/result/").content.decode()

    assert "You passed" in page
    assert job.title in page
    assert f'href="/work/listings/{job.pk}/tasks/">Start tasks</a>' in page


def test_the_application_page_shows_start_tasks(site_tree, worker, worker_client):
    job = make_job(admission=JobPage.Admission.ON_PASS, task_pay=(12, 45))
    application = application_submit(worker=worker, job=job, motivation=MOTIVATION)

    page = worker_client.get(f"/work/applications/{application.pk}/").content.decode()

    assert "Start tasks" in page


def test_hourly_work_outside_loopwork_says_the_company_will_be_in_touch(site_tree, worker):
    job = make_job(admission=JobPage.Admission.ON_PASS, hourly_pay_cents=1800)

    application = application_submit(worker=worker, job=job, motivation=MOTIVATION)

    step = application_next_step(application)
    assert "will contact you" in step.text
    assert not step.start_tasks
