"""Every link in every email we send is absolute on the configured site and opens for its reader.

Drives the flows that send email (a review decision, a dispute, a bonus, a payout held and
one paid, the approval and review digests, a budget warning, listing moderation, a company
invitation and the sign-up confirmation), then follows each URL of each message in
`mail.outbox` as the person it was sent to.
"""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import User
from accounts.notifications import preferences_save
from marketplace.digests import budget_checks_run, review_digests_send
from marketplace.disputes import dispute_open
from marketplace.review import review_bonus, review_bulk, review_reject
from payouts.payout_accounts import payout_account_ensure
from payouts.payouts import payout_batch_approve, payout_line_hold, payout_request
from tests.factories import UserFactory, WorkerFactory, fund_company
from tests.jobs.test_company_listings import valid_post
from tests.marketplace.factories import make_items, make_project, make_reviewer, make_submission
from tests.stripe_connect_server.testing import credit_available

pytestmark = pytest.mark.django_db

BASE = "http://testserver/"
URL = re.compile(r"https?://[^\s<>\"]+")


def urls_of(message) -> list[str]:
    return [url.rstrip(".,;:)\u201d") for url in URL.findall(message.subject + "\n" + message.body)]


def open_as_recipient(url: str, recipient: User | None) -> int:
    client = Client()
    if recipient is not None:
        client.force_login(recipient)
    parts = urlsplit(url)
    return client.get(parts.path + (f"?{parts.query}" if parts.query else "")).status_code


@override_settings(STRIPE_SECRET_KEY="")
def test_every_link_in_every_email_starts_with_the_base_url_and_opens(
    site_tree, company, owner, django_capture_on_commit_callbacks
):
    reviewer = make_reviewer(company)
    project = make_project(company=company, title="Rate chatbot replies", reward_cents=50)
    fund_company(company.pk, 100_00)
    worker = WorkerFactory()
    preferences_save(user=worker, choices={"assignment_approved": "email"})
    staff = UserFactory(is_staff=True, is_superuser=True, email="moderator@loopwork.test")
    approver = UserFactory(is_staff=True, email="approver@loopwork.test")
    approver.user_permissions.add(Permission.objects.get(codename="approve_payoutbatch"))
    earlier = timezone.now() - datetime.timedelta(hours=1)

    with django_capture_on_commit_callbacks(execute=True):
        # A decision, a dispute of it, a bonus and a digest of approvals.
        rejected = make_submission(project, worker)
        review_reject(rejected.pk, reviewer=reviewer, reason="other", comment="Off topic.")
        dispute_open(rejected.pk, worker=worker, message="I followed the guidelines. " * 2)
        approved = [make_submission(project, worker) for _ in range(2)]
        review_bulk([a.pk for a in approved], reviewer=reviewer, action="approve")
        review_bonus(
            approved[0].pk,
            payer=owner,
            amount_cents=200,
            reason="Careful work",
            idempotency_key="b1",
        )
        # Answers waiting for review, and a project its money no longer covers.
        make_submission(project, WorkerFactory(), submitted_at=earlier)
        review_digests_send()
        short = make_project(
            company=company, title="Label street scenes", escrow_cents=0, reward_cents=10_000
        )
        make_items(short, 50)
        budget_checks_run()
        # A payout held and one paid (offline Stripe test mode).
        payout_account_ensure(worker=worker)
        credit_available(worker, 5000)
        held = payout_request(worker=worker, amount_cents=2000, idempotency_key="p1")
        payout_line_hold(line_id=held.pk, reason="Check identity", actor=approver)
        paid = payout_request(worker=worker, amount_cents=3000, idempotency_key="p2")
        payout_batch_approve(batch_id=paid.batch_id, actor=approver)
        # Listing moderation: one approved, one sent back with a comment.
        owner_client = Client()
        owner_client.force_login(owner)
        for title in ("Rate chatbot answers", "Moderate forum posts"):
            owner_client.post("/company/listings/new/", valid_post(title=title))
            page = company.job_pages.get(title=title)
            owner_client.post(f"/company/listings/{page.pk}/submit/")
            page.refresh_from_db()
            task = page.current_workflow_state.current_task_state.specific
            if title == "Rate chatbot answers":
                task.approve(user=staff)
            else:
                task.reject(user=staff, comment="Say which languages.")
        # An invitation to the company, to someone who has an account already.
        invitee = WorkerFactory(email="invitee@loopwork.test")
        owner_client.post("/company/members/invite/", {"email": invitee.email, "role": "reviewer"})
    # The sign-up confirmation.
    Client().post(
        "/accounts/signup/",
        {
            "email": "new.person@loopwork.test",
            "password1": "a-much-longer-passphrase-42",
            "password2": "a-much-longer-passphrase-42",
            "role": "worker",
        },
    )

    subjects = [message.subject for message in mail.outbox]
    for expected in (
        "[Loopwork] Your answer was rejected: Rate chatbot replies",
        "[Loopwork] Dispute received: Rate chatbot replies",
        "[Loopwork] 2 answers approved: Rate chatbot replies",
        "[Loopwork] You received a bonus: Rate chatbot replies",
        "[Loopwork] 1 new answer to review: Rate chatbot replies",
        "[Loopwork] Budget running low: Label street scenes",
        "[Loopwork] Your payout of $20 is on hold",
        "[Loopwork] Your payout of $30 is on its way",
        "[Loopwork] Your listing is live: Rate chatbot answers",
        "[Loopwork] Changes requested: Moderate forum posts",
        "[Loopwork] Please Confirm Your Email Address",
        f"[Loopwork] {company.name} invites you to join their workspace",
    ):
        assert expected in subjects
    checked = 0
    for message in mail.outbox:
        text = message.subject + message.body
        assert "example.com" not in text and "localhost" not in text, message.subject
        [address] = message.to
        recipient = User.objects.filter(email=address).first()
        if recipient is not None and not recipient.emailaddress_set.filter(verified=False).exists():
            reader = recipient
        else:
            reader = None  # the sign-up confirmation is opened before signing in
        for url in urls_of(message):
            assert url.startswith(BASE), (message.subject, url)
            status = open_as_recipient(url, reader)
            assert status not in (404, 500), (message.subject, url, status)
            checked += 1
    assert checked >= 3 * len(mail.outbox)
