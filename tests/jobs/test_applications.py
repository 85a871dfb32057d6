"""Applications: the rules of submit, withdraw and decide, and the worker and company views."""

import datetime
import threading

import pytest
from django.db import IntegrityError, connections
from django.utils import timezone

from accounts.models import Membership
from core.errors import LoopworkError
from jobs.applications import application_decide, application_submit, application_withdraw
from jobs.models import Application, ApplicationEvent, JobPage, Qualification, QualificationTest
from tests.factories import (
    CompanyFactory,
    MembershipFactory,
    WorkerFactory,
    make_application,
    make_job,
    yesterday,
)

pytestmark = pytest.mark.django_db

MOTIVATION = "I rated search results for two years."


def make_test(company=None) -> QualificationTest:
    qualification = Qualification.objects.create(
        name="Sentiment labelling",
        slug=f"sentiment-{Qualification.objects.count()}",
        category="text-annotation",
    )
    return QualificationTest.objects.create(
        qualification=qualification,
        company=company,
        title="Sentiment basics",
        category="text-annotation",
    )


def assert_refused(code, **kwargs):
    before = (Application.objects.count(), ApplicationEvent.objects.count())
    with pytest.raises(LoopworkError) as refusal:
        application_submit(**kwargs)
    assert refusal.value.code == code
    assert (Application.objects.count(), ApplicationEvent.objects.count()) == before
    return refusal.value


# --- application_submit -------------------------------------------------------------------


def test_a_worker_applies_and_the_history_records_it(site_tree, worker):
    job = make_job()

    application = application_submit(worker=worker, job=job, motivation=f"  {MOTIVATION}  ")

    assert application.status == Application.Status.SUBMITTED
    assert application.motivation == MOTIVATION
    events = list(application.events.values_list("status", "actor", "note"))
    assert events == [(Application.Status.SUBMITTED, worker.pk, "")]


def test_a_listing_with_a_qualification_test_starts_at_test_required(site_tree, worker):
    test = make_test()
    job = make_job(qualification_test=test)

    application = application_submit(worker=worker, job=job, motivation=MOTIVATION)

    assert application.status == Application.Status.TEST_REQUIRED
    event = application.events.get()
    assert event.status == Application.Status.TEST_REQUIRED
    assert "Sentiment basics" in event.note


def test_applying_twice_is_refused(site_tree, worker):
    job = make_job()
    application_submit(worker=worker, job=job, motivation=MOTIVATION)

    assert_refused("duplicate", worker=worker, job=job, motivation="Again")

    assert Application.objects.get().motivation == MOTIVATION


def test_a_lost_race_on_the_unique_constraint_is_refused_cleanly(site_tree, worker, monkeypatch):
    job = make_job()
    # Given another request created the row between our check and our insert.
    original_create = Application.objects.create

    def racing_create(**kwargs):
        original_create(**kwargs)
        return original_create(**kwargs)

    monkeypatch.setattr(Application.objects, "create", racing_create)

    with pytest.raises(LoopworkError) as refusal:
        application_submit(worker=worker, job=job, motivation=MOTIVATION)

    assert refusal.value.code == "duplicate"
    assert Application.objects.count() == 0  # the savepoint rolled the racing insert back too


def test_the_database_refuses_a_second_row_for_the_same_worker_and_job(site_tree, worker):
    job = make_job()
    make_application(worker=worker, job=job)
    with pytest.raises(IntegrityError):
        make_application(worker=worker, job=job)


@pytest.mark.parametrize(
    ("listing", "code"),
    [
        ({"status": JobPage.Status.PAUSED}, "listing_paused"),
        ({"status": JobPage.Status.CLOSED}, "listing_closed"),
        ({"live": False}, "listing_not_live"),
    ],
)
def test_a_listing_that_does_not_take_applications_refuses(site_tree, worker, listing, code):
    job = make_job(**listing)
    assert_refused(code, worker=worker, job=job, motivation=MOTIVATION)


def test_a_listing_past_its_deadline_says_when_it_closed(site_tree, worker):
    job = make_job(deadline=datetime.date(2020, 3, 1))
    error = assert_refused("listing_past_deadline", worker=worker, job=job, motivation=MOTIVATION)
    assert error.message == "This listing closed on March 1, 2020."


def test_the_deadline_day_itself_still_takes_applications(site_tree, worker):
    job = make_job(deadline=timezone.localdate())
    assert application_submit(worker=worker, job=job, motivation=MOTIVATION).pk


def test_an_unverified_email_is_refused(site_tree):
    worker = WorkerFactory(verified=False)
    assert_refused("email_not_verified", worker=worker, job=make_job(), motivation=MOTIVATION)


def test_a_company_user_cannot_apply(site_tree):
    member = MembershipFactory().user
    assert_refused("not_a_worker", worker=member, job=make_job(), motivation=MOTIVATION)


@pytest.mark.parametrize(
    ("motivation", "code"),
    [("", "motivation_empty"), ("   ", "motivation_empty"), ("x" * 2001, "motivation_too_long")],
)
def test_a_bad_motivation_is_refused(site_tree, worker, motivation, code):
    error = assert_refused(code, worker=worker, job=make_job(), motivation=motivation)
    assert error.field == "motivation"


def test_a_motivation_of_exactly_2000_characters_is_accepted(site_tree, worker):
    application = application_submit(worker=worker, job=make_job(), motivation="x" * 2000)
    assert len(application.motivation) == 2000


# --- withdraw and reopen ------------------------------------------------------------------


def test_a_worker_withdraws_and_reapplying_reopens_the_same_application(site_tree, worker):
    job = make_job()
    application = application_submit(worker=worker, job=job, motivation=MOTIVATION)

    application_withdraw(application=application, worker=worker)
    reopened = application_submit(worker=worker, job=job, motivation="Now with more hours.")

    assert reopened.pk == application.pk
    assert Application.objects.count() == 1
    assert reopened.status == Application.Status.SUBMITTED
    assert reopened.motivation == "Now with more hours."
    assert list(reopened.events.values_list("status", flat=True)) == [
        Application.Status.SUBMITTED,
        Application.Status.WITHDRAWN,
        Application.Status.SUBMITTED,
    ]


def test_only_the_owner_can_withdraw(site_tree, worker):
    application = make_application(worker=worker)
    with pytest.raises(LoopworkError) as refusal:
        application_withdraw(application=application, worker=WorkerFactory())
    assert refusal.value.code == "not_owner"
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.events.count() == 0


@pytest.mark.parametrize("status", [Application.Status.REJECTED, Application.Status.WITHDRAWN])
def test_a_rejected_or_withdrawn_application_cannot_be_withdrawn(site_tree, worker, status):
    application = make_application(worker=worker, status=status)
    with pytest.raises(LoopworkError) as refusal:
        application_withdraw(application=application, worker=worker)
    assert refusal.value.code == "not_withdrawable"
    assert application.events.count() == 0


# --- decisions ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_an_owner_or_manager_accepts_and_the_event_names_them(site_tree, company, role):
    decider = MembershipFactory(company=company, role=role).user
    application = make_application(job=make_job(company=company))

    decided = application_decide(
        application=application, actor=decider, decision="admit", note="Welcome aboard"
    )

    assert decided.status == Application.Status.ACTIVE
    event = decided.events.get()
    assert (event.status, event.actor_id, event.note) == ("active", decider.pk, "Welcome aboard")


def test_a_decline_is_recorded_with_its_reason(site_tree, company, owner):
    application = make_application(job=make_job(company=company))
    decided = application_decide(
        application=application, actor=owner, decision="decline", note="We need German."
    )
    assert decided.status == Application.Status.REJECTED
    event = decided.events.get()
    assert (event.actor, event.note) == (owner, "We need German.")


@pytest.mark.parametrize("note", ["", "   "])
def test_declining_needs_a_reason_and_changes_nothing(site_tree, company, owner, note):
    application = make_application(job=make_job(company=company))
    with pytest.raises(LoopworkError) as refusal:
        application_decide(application=application, actor=owner, decision="decline", note=note)
    assert (refusal.value.code, refusal.value.field) == ("reason_required", "note")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.events.count() == 0


def test_a_reviewer_cannot_decide(site_tree, company):
    reviewer = MembershipFactory(company=company, role=Membership.Role.REVIEWER).user
    application = make_application(job=make_job(company=company))
    with pytest.raises(LoopworkError) as refusal:
        application_decide(application=application, actor=reviewer, decision="admit")
    assert refusal.value.code == "not_allowed"
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_another_companys_owner_cannot_decide(site_tree, company):
    stranger = MembershipFactory(company=CompanyFactory()).user
    application = make_application(job=make_job(company=company))
    with pytest.raises(LoopworkError) as refusal:
        application_decide(application=application, actor=stranger, decision="admit")
    assert refusal.value.code == "not_allowed"
    assert application.events.count() == 0


@pytest.mark.parametrize(
    "status",
    [Application.Status.ACTIVE, Application.Status.REJECTED, Application.Status.WITHDRAWN],
)
def test_a_decided_or_withdrawn_application_cannot_be_decided_again(
    site_tree, company, owner, status
):
    application = make_application(job=make_job(company=company), status=status)
    with pytest.raises(LoopworkError) as refusal:
        application_decide(application=application, actor=owner, decision="admit")
    assert refusal.value.code == "already_decided"
    application.refresh_from_db()
    assert application.status == status


def test_deciding_twice_gives_the_first_outcome(site_tree, company, owner):
    application = make_application(job=make_job(company=company))
    application_decide(application=application, actor=owner, decision="admit")
    with pytest.raises(LoopworkError):
        application_decide(application=application, actor=owner, decision="decline", note="No.")
    application.refresh_from_db()
    assert application.status == Application.Status.ACTIVE
    assert application.events.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_decisions_give_one_outcome(site_tree):
    company = CompanyFactory()
    owner = MembershipFactory(company=company, role="owner").user
    manager = MembershipFactory(company=company, role="manager").user
    application = make_application(job=make_job(company=company))
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(actor, decision):
        try:
            barrier.wait()
            application_decide(
                application=application, actor=actor, decision=decision, note="Decided."
            )
            outcomes.append(decision)
        except LoopworkError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(owner, "admit")),
        threading.Thread(target=decide, args=(manager, "decline")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    application.refresh_from_db()
    assert sorted(outcomes) in (["admit", "already_decided"], ["already_decided", "decline"])
    assert application.events.count() == 1
    expected = "active" if "admit" in outcomes else "rejected"
    assert application.status == expected


# --- worker views -------------------------------------------------------------------------


def test_the_apply_page_shows_the_listing_and_the_form(site_tree, worker_client):
    job = make_job(title="Rate search results")
    response = worker_client.get(f"/jobs/{job.pk}/apply/")
    assert response.status_code == 200
    assert b"Apply to Rate search results" in response.content
    assert b'name="motivation"' in response.content


def test_posting_the_apply_form_creates_the_application_and_redirects(
    site_tree, worker, worker_client
):
    job = make_job()
    response = worker_client.post(f"/jobs/{job.pk}/apply/", {"motivation": MOTIVATION})
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/work/applications/{application.pk}/"
    assert application.worker == worker


def test_a_refused_application_shows_the_reason_and_saves_nothing(site_tree, worker_client):
    job = make_job(status=JobPage.Status.PAUSED)
    response = worker_client.post(f"/jobs/{job.pk}/apply/", {"motivation": MOTIVATION})
    assert response.status_code == 200
    assert b"paused" in response.content
    assert Application.objects.count() == 0


def test_an_empty_motivation_is_a_form_error(site_tree, worker_client):
    job = make_job()
    response = worker_client.post(f"/jobs/{job.pk}/apply/", {"motivation": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["motivation"] == ["This field is required."]
    assert Application.objects.count() == 0


def test_the_apply_page_of_an_unpublished_listing_is_404(site_tree, worker_client):
    job = make_job(live=False)
    assert worker_client.get(f"/jobs/{job.pk}/apply/").status_code == 404


def test_the_worker_sees_their_applications_and_the_empty_state(site_tree, worker, worker_client):
    response = worker_client.get("/work/applications/")
    assert b"No applications yet" in response.content
    make_application(worker=worker, job=make_job(title="Moderate comments"))
    make_application(job=make_job(title="Someone else's job"))

    response = worker_client.get("/work/applications/")

    assert b"Moderate comments" in response.content
    assert b"Someone else" not in response.content


def test_the_application_page_shows_the_timeline_and_the_test(site_tree, worker, worker_client):
    job = make_job(qualification_test=make_test())
    application = application_submit(worker=worker, job=job, motivation=MOTIVATION)

    response = worker_client.get(f"/work/applications/{application.pk}/")

    assert response.status_code == 200
    assert b"Next: the qualification test" in response.content
    assert b"Sentiment basics" in response.content
    assert b'class="timeline"' in response.content
    assert b"Withdraw application" in response.content


def test_a_worker_cannot_open_or_withdraw_another_workers_application(site_tree, worker_client):
    other = make_application()
    assert worker_client.get(f"/work/applications/{other.pk}/").status_code == 404
    assert worker_client.post(f"/work/applications/{other.pk}/withdraw/").status_code == 404
    other.refresh_from_db()
    assert other.status == Application.Status.SUBMITTED


def test_withdrawing_from_the_page(site_tree, worker, worker_client):
    application = make_application(worker=worker)
    response = worker_client.post(f"/work/applications/{application.pk}/withdraw/")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    assert worker_client.get(f"/work/applications/{application.pk}/withdraw/").status_code == 405


# --- company views ------------------------------------------------------------------------


def test_company_applications_list_is_scoped_and_filterable(site_tree, company, owner, client):
    mine = make_job(company=company, title="Our job")
    application = make_application(job=mine)
    make_application(job=make_job(title="Their job"))
    client.force_login(owner)

    response = client.get("/company/applications/")
    filtered = client.get(f"/company/applications/?listing={mine.pk}&status=active")

    assert response.status_code == 200
    assert b"Our job" in response.content
    assert b"Their job" not in response.content
    assert application.worker.display_name.encode() in response.content
    assert b"No applications match" in filtered.content


def test_company_application_detail_shows_profile_and_decision_buttons(
    site_tree, company, owner, client
):
    application = make_application(job=make_job(company=company))
    profile = application.worker.worker_profile
    profile.country_id = "DE"
    profile.categories = ["text-moderation"]
    profile.save()
    profile.languages.set(["de"])
    client.force_login(owner)

    response = client.get(f"/company/applications/{application.pk}/")

    assert response.status_code == 200
    for text in (b"Germany", b"German", b"Text moderation", b"Admit", b"Decline"):
        assert text in response.content


def test_a_reviewer_reads_but_cannot_decide(site_tree, company, client):
    reviewer = MembershipFactory(company=company, role="reviewer").user
    application = make_application(job=make_job(company=company))
    client.force_login(reviewer)

    page = client.get(f"/company/applications/{application.pk}/")
    decide = client.post(f"/company/applications/{application.pk}/decide/", {"decision": "admit"})

    assert page.status_code == 200
    assert b'value="admit"' not in page.content
    assert decide.status_code == 403
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_another_companys_application_is_404(site_tree, owner, client):
    other = make_application()
    client.force_login(owner)
    assert client.get(f"/company/applications/{other.pk}/").status_code == 404
    response = client.post(
        f"/company/applications/{other.pk}/decide/", {"decision": "decline", "note": "No."}
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == Application.Status.SUBMITTED


def test_a_manager_decides_from_the_page(site_tree, company, client):
    manager = MembershipFactory(company=company, role="manager").user
    application = make_application(job=make_job(company=company))
    client.force_login(manager)

    response = client.post(
        f"/company/applications/{application.pk}/decide/",
        {"decision": "decline", "note": "We need native speakers."},
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    assert application.events.get().note == "We need native speakers."


def test_the_company_home_counts_and_lists(site_tree, company, owner, client):
    make_application(job=make_job(company=company, title="Our job"))
    client.force_login(owner)
    response = client.get("/company/")
    assert response.status_code == 200
    home = response.context["home"]
    assert (home.live_listings, home.applicants_new, home.applicants_waiting) == (1, 1, 1)
    assert b"/company/members/" in response.content


def test_the_company_home_without_a_company_offers_to_create_one(site_tree, client):
    from tests.factories import CompanyUserFactory

    client.force_login(CompanyUserFactory())
    response = client.get("/company/")
    assert b"Create your company" in response.content
    assert b'href="/company/new/"' in response.content


def test_yesterday_deadline_refuses(site_tree, worker):
    job = make_job(deadline=yesterday())
    assert_refused("listing_past_deadline", worker=worker, job=job, motivation=MOTIVATION)
