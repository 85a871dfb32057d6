"""The assignment engine: who may work on a project, handing out items, answers, leases.

Guarantees, on PostgreSQL and on SQLite alike:
- no item holds more than `overlap` places (live leases plus answers), or `overlap +
  extra_answers` once aggregation asked for more answers on a low-confidence item; gold
  items have no overlap (every worker may answer each gold item once);
- no worker gets the same item twice, whatever became of the first assignment (the
  unique constraint (item, worker) is the backstop of the query's NOT EXISTS);
- a worker holds at most one lease per project (the partial unique constraint
  one_lease_per_worker_and_project), and asking again returns that lease; a lease that ran
  out is expired (its place given back) before the worker gets another;
- the item counters (`assigned_count`, `submitted_count`, `is_open`) equal the real counts:
  every change is made relative to the stored value while the item row is locked.

Lock order, everywhere: the worker's user row (only claims in projects with a per-worker
cap, so their counts stay exact), then assignment rows, then item rows (in id order), then
the project row. On PostgreSQL open items are picked with `SELECT ... FOR UPDATE SKIP
LOCKED`, so concurrent claims take different items instead of queueing; SQLite has no row
locks, but its IMMEDIATE transactions (config/settings/base.py) serialise writers, so each
claim sees the previous one's commit and the same checks hold.

The hot path is plain SQL, since building queries with the ORM cost more CPU than running
them. On PostgreSQL a claim is two statements: eligibility, then one statement that picks
and locks an item, inserts the lease (ON CONFLICT DO NOTHING: the unique constraints stay
the backstop) and counts it on the item. A submit is one transaction of two statements:
read and lock the assignment and its item, then update both. SQLite runs the same reads and
ORM writes with F() expressions.

Counting rules:
- the per-worker maximum (`max_assignments_per_worker`) counts the worker's live leases and
  answers in the project (gold included, since a worker does and is paid for them like any
  task; rejected ones too, since the cap bounds how much of a project one worker does);
  returned and expired ones do not count;
- the daily exposure cap of a risky project counts every assignment the worker was given in
  the project in the last 24 hours, whatever became of it: they saw the content.

A project is completed when every non-gold item has its answers; the submit that gives
the last answer marks it (under the project row lock, so two last answers in parallel
cannot both miss it). An item's last answer also sets the submission's review deadline
and, after commit, queues `marketplace.tasks.item_completed` (aggregation, webhooks).
"""

import datetime
import logging
import random
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass
from functools import partial

from allauth.account.models import EmailAddress
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import (
    Case,
    F,
    Q,
    Value,
    When,
)
from django.utils import timezone
from wagtail.models import Page

from accounts.models import User
from annotation.base import InvalidInput
from annotation.registry import get_interface
from core.errors import LoopworkError
from jobs.models import Application, JobPage
from jobs.qualification_models import QualificationGrant
from payouts.fees import cost_with_fee_cents
from payouts.funding import escrow_reserve

from .models import Assignment, Item, Project, WorkerStop
from .pay import listing_pay_refresh
from .projects import completion_key, project_escrow_release
from .quality import quality_apply_stop_rule

logger = logging.getLogger(__name__)

# Expired leases a claim reclaims when it finds nothing open (the beat task does the rest).
LAZY_RECLAIM_BATCH = 200
RECLAIM_BATCH = 500
# Claims retried when every open item was locked by other transactions for a moment.
PICK_ATTEMPTS = 10
EXPOSURE_WINDOW = datetime.timedelta(hours=24)
# What a claim reads of the project (its long texts are left in the database).
CLAIM_FIELDS = (
    "id", "status", "interface", "overlap", "lease_seconds", "reward_cents", "gold_rate",
    "required_qualification_id", "min_qualification_score", "max_assignments_per_worker",
    "content_risk", "daily_exposure_cap", "access",
)  # fmt: skip
# What a submit reads: the assignment, its item's data, gold and counters, the project's rules.
SUBMIT_ASSIGNMENT_FIELDS = tuple(field.attname for field in Assignment._meta.concrete_fields)
SUBMIT_ITEM_FIELDS = (
    "id", "data", "is_gold", "gold_answer", "assigned_count", "submitted_count",
    "extra_answers",
)  # fmt: skip
SUBMIT_PROJECT_FIELDS = (
    "id", "company_id", "status", "interface", "label_schema", "overlap",
    "accuracy_threshold", "min_gold_answers", "min_work_seconds", "auto_approve_hours",
    "max_overlap", "confidence_target",
)  # fmt: skip
ANSWER_FIELDS = [
    "status", "answer", "submitted_at", "work_seconds", "gold_score", "is_too_fast",
    "review_due_at", "updated_at",
]  # fmt: skip
# Projects whose live leases can still be submitted: pausing stops handing out new tasks
# but a worker's task in hand is finished and paid; a completed project may still have
# live gold leases.
SUBMITTABLE = (Project.Status.ACTIVE, Project.Status.PAUSED, Project.Status.COMPLETED)

# Gold draws must not be predictable by workers; tests pass their own Random.
_system_random = random.SystemRandom()


@dataclass(frozen=True)
class Eligibility:
    ok: bool
    code: str = ""
    message: str = ""


ELIGIBLE = Eligibility(ok=True)

REFUSALS = {
    "not_a_worker": (403, "Only worker accounts take tasks."),
    "project_not_active": (409, "This project is not taking answers right now."),
    "email_unverified": (403, "Verify your email address before you start tasks."),
    "not_qualified": (
        403,
        "This project needs a qualification you do not hold, or your score is too low.",
    ),
    "stopped": (403, "You were stopped from this project after quality checks."),
    "cap_reached": (403, "You have done the most tasks one worker may do in this project."),
    "exposure_cap_reached": (
        403,
        "You have reached today's limit of tasks with sensitive content in this project. "
        "Come back in 24 hours.",
    ),
    "not_admitted": (
        403,
        "This project's tasks are for workers admitted through its job listing: apply to the "
        "listing first.",
    ),
    "admission_pending": (
        403,
        "Your application to this project's listing is not decided yet: you can start once "
        "you are admitted.",
    ),
    "application_declined": (
        403,
        "Your application to this project's listing was not selected, so its tasks are not "
        "open to you.",
    ),
    "application_withdrawn": (
        403,
        "You withdrew your application to this project's listing: apply again to take its tasks.",
    ),
    "listing_closed": (
        403,
        "The listing you were admitted through has closed: its projects take no new tasks "
        "from you.",
    ),
}

# A worker's best standing among their applications to a project's listings, as a rank
# the admission query computes in SQL (None: no application at all).
ADMITTED = 5
ADMISSION_REFUSALS = {
    4: "listing_closed",
    3: "admission_pending",
    2: "application_withdrawn",
    1: "application_declined",
    None: "not_admitted",
}


def _refusal(code: str) -> Eligibility:
    return Eligibility(ok=False, code=code, message=REFUSALS[code][1])


def _raise(eligibility: Eligibility):
    raise LoopworkError(
        eligibility.message, code=eligibility.code, status=REFUSALS[eligibility.code][0]
    )


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


# --- Raw rows -----------------------------------------------------------------------------


def _columns(model, alias: str, names: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The SQL select list of these fields (attnames) in the model's order, and that order."""
    ordered = tuple(
        field.attname for field in model._meta.concrete_fields if field.attname in names
    )
    return ", ".join(f'{alias}."{model._meta.get_field(n).column}"' for n in ordered), ordered


def _load(model, names: tuple[str, ...], values):
    """A model instance from raw column values (in `names` order), converted as the ORM does
    (SQLite returns datetimes as text, PostgreSQL JSON as text); other fields are deferred."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    cache = wrapper.__dict__.setdefault("_loopwork_converters", {})
    key = (model, names)
    if key not in cache:
        columns = [model._meta.get_field(name).get_col(model._meta.db_table) for name in names]
        cache[key] = [
            (index, column, converter)
            for index, column in enumerate(columns)
            for converter in (
                wrapper.ops.get_db_converters(column) + column.get_db_converters(wrapper)
            )
        ]
    values = list(values)
    for index, column, converter in cache[key]:
        values[index] = converter(values[index], column, wrapper)
    return model.from_db(DEFAULT_DB_ALIAS, names, values)


# --- Eligibility --------------------------------------------------------------------------


# The two reads every claim runs are written out: building them with the ORM cost more CPU
# than running them (PostgreSQL and SQLite read the same SQL; table names come from the
# models). Fragments are joined from constants only; values always go as parameters.
_A, _I, _P = Assignment._meta.db_table, Item._meta.db_table, Project._meta.db_table


def _admission_sql(project_ref: str) -> tuple[str, str]:
    """(the worker's admission rank in the project, whether they are admitted now), as SQL
    over the applications to the project's listings; `project_ref` is "%s" or a column.

    Admitted means an application in "active" to a listing that is live and not closed:
    withdrawing, being declined and the listing closing all end access to new tasks.
    Each takes the worker id as its one parameter after the project's.
    """
    links = Project.listings.through._meta
    link_project = links.get_field("project").column
    link_listing = links.get_field("jobpage").column
    listing_pk = JobPage._meta.pk.column
    pending = ", ".join(
        f"'{status}'"
        for status in (
            Application.Status.SUBMITTED,
            Application.Status.TEST_REQUIRED,
            Application.Status.QUALIFIED,
        )
    )
    active, closed = Application.Status.ACTIVE, JobPage.Status.CLOSED
    # Written as a filter and scalar subqueries rather than a four-table join: PostgreSQL
    # plans these statements on every claim, and a join of four tables cost it twice the
    # planning time (measured with EXPLAIN ANALYZE: 0.50 against 0.34 ms).
    mine = (
        f"FROM {Application._meta.db_table} ap WHERE ap.job_id IN (SELECT pl.{link_listing} "  # noqa: S608 (model names)
        f"FROM {links.db_table} pl WHERE pl.{link_project} = {project_ref}) "
        "AND ap.worker_id = %s"
    )
    listing_open = (
        f"(SELECT j.status <> '{closed}' AND wp.live FROM {JobPage._meta.db_table} j "  # noqa: S608 (model names)
        f"JOIN {Page._meta.db_table} wp ON wp.id = j.{listing_pk} "
        f"WHERE j.{listing_pk} = ap.job_id)"
    )
    rank = (
        f"(SELECT MAX(CASE WHEN ap.status = '{active}' THEN "
        f"CASE WHEN {listing_open} THEN {ADMITTED} ELSE 4 END "
        f"WHEN ap.status IN ({pending}) THEN 3 "
        f"WHEN ap.status = '{Application.Status.WITHDRAWN}' THEN 2 ELSE 1 END) {mine})"
    )
    return rank, f"EXISTS (SELECT 1 {mine} AND ap.status = '{active}' AND {listing_open})"


_ADMITTED_NOW = _admission_sql("%s")[1]


def _standing(
    *, worker: User, project: Project, now: datetime.datetime, claiming: bool = False
) -> dict:
    """Everything eligibility needs about the worker in the project, in one query (a claim
    also asks for a lease of theirs that ran out: it must be expired before another)."""
    names = ["email_ok", "stopped", "live_lease"]
    if claiming:
        names.append("stale_lease")
    if project.required_qualification_id:
        names.append("qualified")
    if project.through_listings:
        names.append("admission")
    if project.max_assignments_per_worker is not None:
        names.append("held")
    if _counts_exposure(project):
        names.append("exposed")
    columns = ", ".join(_CORRELATED[name] for name in names)
    params = _standing_params(names, worker=worker, now=now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {_P} p WHERE p.id = %s",  # noqa: S608 (model names)
            [*params, project.pk],
        )
        row = cursor.fetchone()
    standing = dict(zip(names, row, strict=True))
    for name in _BOOLEAN_STANDING:
        if name in standing:
            standing[name] = bool(standing[name])  # SQLite answers 0 or 1
    return standing


def _counts_exposure(project: Project) -> bool:
    return bool(project.is_risky and project.daily_exposure_cap)


def _judge(*, worker: User, project: Project, standing: dict | None) -> Eligibility:
    """The first refusal that applies, in the order a worker can act on them."""
    if not worker.is_worker:
        return _refusal("not_a_worker")
    if project.status != Project.Status.ACTIVE:
        return _refusal("project_not_active")
    if standing is None:
        return ELIGIBLE
    if not standing["email_ok"]:
        return _refusal("email_unverified")
    # Leaving a listing ends access to new tasks; a task in hand may still be finished.
    admission = standing.get("admission", ADMITTED)
    if admission != ADMITTED and standing["live_lease"] is None:
        return _refusal(ADMISSION_REFUSALS[admission])
    if not standing.get("qualified", True):
        return _refusal("not_qualified")
    if standing["stopped"]:
        return _refusal("stopped")
    if standing["live_lease"] is not None:
        return ELIGIBLE  # the task in hand is theirs to finish, caps or not
    cap = project.max_assignments_per_worker
    if cap is not None and standing["held"] >= cap:
        return _refusal("cap_reached")
    if "exposed" in standing and standing["exposed"] >= project.daily_exposure_cap:
        return _refusal("exposure_cap_reached")
    return ELIGIBLE


def project_eligibility(
    *, worker: User, project: Project, now: datetime.datetime | None = None
) -> Eligibility:
    """Whether the worker may take tasks in the project now, and if not the code and why.

    Reads only; for pages that list projects. A worker holding a live lease is eligible
    (they may finish it) even at a cap.
    """
    refusal = _judge(worker=worker, project=project, standing=None)
    if not refusal.ok:
        return refusal
    return _judge(
        worker=worker,
        project=project,
        standing=_standing(worker=worker, project=project, now=_now(now)),
    )


# --- Claiming -----------------------------------------------------------------------------

_CLAIM_COLUMNS, _CLAIM_NAMES = _columns(Project, "p", CLAIM_FIELDS)
# The worker's standing in projects read alongside them (correlated to the project row `p`):
# the API's claim reads its project and the standing in one query, and the worker's pages
# read every listed project's standing in one query. Each fragment takes the parameters its
# entry in _PARAMETERS names.
_MINE_HERE = f"FROM {_A} a WHERE a.project_id = p.id AND a.worker_id = %s"
_CORRELATED = {
    "email_ok": (
        f"EXISTS (SELECT 1 FROM {EmailAddress._meta.db_table} e "  # noqa: S608 (model names)
        'WHERE e.user_id = %s AND e."primary" AND e.verified)'
    ),
    "stopped": (
        f"EXISTS (SELECT 1 FROM {WorkerStop._meta.db_table} s "  # noqa: S608 (model names)
        "WHERE s.project_id = p.id AND s.worker_id = %s AND s.lifted_at IS NULL)"
    ),
    "live_lease": f"(SELECT a.id {_MINE_HERE} AND a.status = 'leased' AND a.expires_at > %s)",
    "stale_lease": f"(SELECT a.id {_MINE_HERE} AND a.status = 'leased' AND a.expires_at <= %s)",
    "qualified": (
        "CASE WHEN p.required_qualification_id IS NULL THEN true ELSE EXISTS (SELECT 1 "  # noqa: S608 (model names)
        f"FROM {QualificationGrant._meta.db_table} g WHERE g.worker_id = %s "
        "AND g.qualification_id = p.required_qualification_id AND g.revoked_at IS NULL "
        "AND (g.expires_at IS NULL OR g.expires_at > %s) "
        "AND g.score >= p.min_qualification_score) END"
    ),
    "admission": (
        f"CASE WHEN p.access = '{Project.Access.LISTINGS}' THEN "
        f"{_admission_sql('p.id')[0]} ELSE {ADMITTED} END"
    ),
    "held": (
        f"(SELECT count(*) {_MINE_HERE} AND (a.status IN ('submitted', 'approved', 'rejected') "
        "OR (a.status = 'leased' AND a.expires_at > %s)))"
    ),
    "exposed": f"(SELECT count(*) {_MINE_HERE} AND a.leased_at > %s)",
}
_BOOLEAN_STANDING = ("email_ok", "stopped", "qualified")


# The parameters each standing column takes, in order.
_PARAMETERS = {
    "email_ok": ("worker",),
    "stopped": ("worker",),
    "live_lease": ("worker", "at"),
    "stale_lease": ("worker", "at"),
    "qualified": ("worker", "at"),
    "admission": ("worker",),
    "held": ("worker", "at"),
    "exposed": ("worker", "since"),
}


def _standing_params(names, *, worker: User, now: datetime.datetime) -> list:
    """The parameters of these standing columns (_CORRELATED), in their order."""
    values = {
        "worker": worker.pk,
        "at": connection.ops.adapt_datetimefield_value(now),
        "since": connection.ops.adapt_datetimefield_value(now - EXPOSURE_WINDOW),
    }
    return [values[kind] for name in names for kind in _PARAMETERS[name]]


# The API's claim: the per-worker counts are left out, since a capped project reads them
# again under the worker's lock.
_CLAIM_STANDING = ("email_ok", "stopped", "live_lease", "stale_lease", "qualified", "admission")
_PROJECT_STANDING_SQL = (
    f"SELECT {_CLAIM_COLUMNS}, "  # noqa: S608 (model names)
    + ", ".join(_CORRELATED[name] for name in _CLAIM_STANDING)
    + f" FROM {_P} p WHERE p.id = %s AND p.status <> 'draft'"
)
# The worker's pages: every column of the standing, for many projects.
_PAGE_STANDING = (
    "email_ok", "stopped", "live_lease", "qualified", "admission", "held", "exposed",
)  # fmt: skip
_PAGE_COLUMNS = ", ".join(_CORRELATED[name] for name in _PAGE_STANDING)


def worker_standings(
    *, worker: User, projects: list[Project], now: datetime.datetime | None = None
) -> dict[int, dict]:
    """The worker's standing in each of `projects`, in one query, keyed by project id: the
    same rules a claim applies, for pages that list many projects (project_eligibility)."""
    if not projects:
        return {}
    params = _standing_params(_PAGE_STANDING, worker=worker, now=_now(now))
    placeholders = ", ".join(["%s"] * len(projects))
    sql = f"SELECT p.id, {_PAGE_COLUMNS} FROM {_P} p WHERE p.id IN ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *(project.pk for project in projects)])
        rows = cursor.fetchall()
    by_id = {project.pk: project for project in projects}
    standings = {}
    for project_id, *values in rows:
        standing = dict(zip(_PAGE_STANDING, values, strict=True))
        for name in _BOOLEAN_STANDING:
            standing[name] = bool(standing[name])  # SQLite answers 0 or 1
        if not _counts_exposure(by_id[project_id]):
            del standing["exposed"]
        standings[project_id] = standing
    return standings


def eligibility_from(*, worker: User, project: Project, standing: dict) -> Eligibility:
    """A project's eligibility from a standing worker_standings read."""
    return _judge(worker=worker, project=project, standing=standing)


def assignment_claim_next_in(
    *,
    worker: User,
    project_id: int,
    now: datetime.datetime | None = None,
    rng: random.Random | None = None,
) -> tuple[Project, Assignment | None]:
    """assignment_claim_next for a project id (the API's claim): the project and the lease.

    A project that does not exist for workers (drafts are the company's business) is
    not_found (404). The project and the worker's standing in it are read in one query.
    """
    now = _now(now)
    params = _standing_params(_CLAIM_STANDING, worker=worker, now=now)
    with connection.cursor() as cursor:
        cursor.execute(_PROJECT_STANDING_SQL, [*params, project_id])
        row = cursor.fetchone()
    if row is None:
        raise LoopworkError("Not found.", code="not_found", status=404)
    columns = len(_CLAIM_NAMES)
    project = _load(Project, _CLAIM_NAMES, row[:columns])
    standing = dict(zip(_CLAIM_STANDING, row[columns:], strict=True))
    for name in _BOOLEAN_STANDING:
        standing[name] = bool(standing[name])  # SQLite answers 0 or 1
    return project, assignment_claim_next(
        worker=worker, project=project, now=now, rng=rng, standing=standing
    )


def assignment_claim_next(
    *,
    worker: User,
    project: Project,
    now: datetime.datetime | None = None,
    rng: random.Random | None = None,
    standing: dict | None = None,
) -> Assignment | None:
    """Lease the worker's next item in the project, or return the live lease they hold.

    Returns None when nothing is left for this worker (gold items alone never count as
    work left). Refuses with a LoopworkError: project_not_active (409), email_unverified,
    not_admitted, admission_pending, application_declined, application_withdrawn,
    listing_closed (a project reached through its listings), not_qualified, stopped,
    cap_reached, exposure_cap_reached, not_a_worker (403). In a project reached through its
    listings the pick itself requires the admission, so an application withdrawn or declined
    while the claim runs leases nothing.
    Guarantees: never exceeds an item's overlap, never gives a worker an item twice, at most
    one lease per worker and project. With probability `gold_rate`% the lease is a gold
    item the worker has not had, drawn from `rng`. `standing` is the worker's standing just
    read with the project (assignment_claim_next_in), which saves reading it again.
    """
    now = _now(now)
    refusal = _judge(worker=worker, project=project, standing=None)
    if not refusal.ok:
        _raise(refusal)
    assignment = _claim(
        worker=worker, project=project, now=now, rng=rng or _system_random, standing=standing
    )
    if assignment is None and leases_reclaim_expired(
        project=project, now=now, limit=LAZY_RECLAIM_BATCH
    ):
        assignment = _claim(worker=worker, project=project, now=now, rng=rng or _system_random)
    return assignment


# What _take answers when the lease could not be inserted: a claim of the same worker in
# another tab won the one lease they may hold (or took this very item); look again.
_RETRY = object()


def _claim(
    *,
    worker: User,
    project: Project,
    now: datetime.datetime,
    rng: random.Random,
    standing: dict | None = None,
) -> Assignment | None:
    # Caps count the worker's own assignments, so their claims are serialised where a cap
    # applies (the lease constraint alone leaves a window between counting and inserting).
    # SQLite's claims are serialised by its IMMEDIATE transactions.
    capped = project.max_assignments_per_worker is not None or _counts_exposure(project)
    fast = connection.vendor == "postgresql"
    if capped or not fast:
        standing = None  # read in the claim's transaction, under the lock
    for _attempt in range(PICK_ATTEMPTS):
        with transaction.atomic() if capped or not fast else nullcontext():
            if capped:
                User.objects.select_for_update(no_key=True).filter(pk=worker.pk).values_list(
                    "pk"
                ).get()
            if standing is None:
                standing = _standing(worker=worker, project=project, now=now, claiming=True)
            eligibility = _judge(worker=worker, project=project, standing=standing)
            if not eligibility.ok:
                _raise(eligibility)
            if standing["live_lease"] is not None:
                return Assignment.objects.select_related("item").get(pk=standing["live_lease"])
            if standing["stale_lease"] is not None:
                _reclaim_batch(project=project, now=now, size=1, worker=worker)
            gold = bool(project.gold_rate) and rng.random() * 100 < project.gold_rate
            if fast and not gold:
                outcome = _take_at_once(project=project, worker=worker, now=now)
            else:
                outcome = _take(project=project, worker=worker, now=now, gold=gold)
        if outcome is not _RETRY:
            return outcome
        standing = None
    return None


# Open items of a kind the worker never had, in upload order: the partial index
# item_open_pick (project, is_gold, id WHERE is_open), ordered as the index is so the
# planner walks it, with an anti-join on the unique (item, worker) index.
def _pick_sql(*, admitted_only: bool) -> str:
    """The pick; for a project reached through its listings it also requires the worker's
    admission, checked once per statement (an uncorrelated EXISTS)."""
    admission = f"AND {_ADMITTED_NOW} " if admitted_only else ""
    return (
        f"SELECT i.id, i.data, i.is_gold FROM {_I} i "  # noqa: S608 (model table names)
        "WHERE i.project_id = %s AND i.is_gold = %s AND i.is_open "
        f"AND NOT EXISTS (SELECT 1 FROM {_A} a WHERE a.item_id = i.id AND a.worker_id = %s) "
        f"{admission}ORDER BY i.project_id, i.is_gold, i.id LIMIT 1"
    )


PICK_SQL = _pick_sql(admitted_only=False)
PICK_ADMITTED_SQL = _pick_sql(admitted_only=True)
# The new lease's columns, in the model's order (the primary key comes from the database).
_LEASE_FIELDS = [field for field in Assignment._meta.concrete_fields if not field.primary_key]
# PostgreSQL: pick and lock the first free real item, insert the lease, count it on the
# item, in one statement. ON CONFLICT DO NOTHING leaves the unique constraints as the
# backstop without an error (and without a savepoint): no row from `leased` means another
# claim of this worker won. The item row is locked by the pick, so its counters change
# under the lock, relative to their latest committed values.
_LEASE_COLUMNS = ", ".join(f'"{field.column}"' for field in _LEASE_FIELDS)
_LEASE_VALUES = ", ".join("pick.id" if field.name == "item" else "%s" for field in _LEASE_FIELDS)


def _claim_sql(pick_sql: str) -> str:
    return (
        f"WITH pick AS ({pick_sql} FOR UPDATE SKIP LOCKED), "  # noqa: S608 (model names)
        f"leased AS (INSERT INTO {_A} ({_LEASE_COLUMNS}) SELECT {_LEASE_VALUES} FROM pick "
        "ON CONFLICT DO NOTHING RETURNING id, item_id), "
        f"counted AS (UPDATE {_I} i SET assigned_count = i.assigned_count + 1, "
        "is_open = i.assigned_count + 1 < %s + i.extra_answers "
        "FROM leased WHERE i.id = leased.item_id RETURNING i.id) "
        "SELECT pick.id, pick.data, leased.id FROM pick LEFT JOIN leased ON true"
    )


CLAIM_SQL = _claim_sql(PICK_SQL)
CLAIM_ADMITTED_SQL = _claim_sql(PICK_ADMITTED_SQL)


def _pick_params(*, project: Project, worker: User, gold: bool) -> list:
    params = [project.pk, gold, worker.pk]
    if project.through_listings:
        params += [project.pk, worker.pk]
    return params


def _new_lease(*, project: Project, worker: User, now: datetime.datetime) -> Assignment:
    return Assignment(
        project=project,
        worker=worker,
        is_gold=False,
        status=Assignment.Status.LEASED,
        reward_cents=project.reward_cents,
        leased_at=now,
        expires_at=now + project.lease_duration,
    )


def _take_at_once(*, project: Project, worker: User, now: datetime.datetime):
    """PostgreSQL, a real item: CLAIM_SQL; when every candidate is locked, the waiting path."""
    assignment = _new_lease(project=project, worker=worker, now=now)
    params = _pick_params(project=project, worker=worker, gold=False)
    params += [
        field.get_db_prep_save(field.pre_save(assignment, True), connection)
        for field in _LEASE_FIELDS
        if field.name != "item"
    ]
    params.append(project.overlap)
    sql = CLAIM_ADMITTED_SQL if project.through_listings else CLAIM_SQL
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return _take(project=project, worker=worker, now=now, gold=False)
    item_id, data, assignment_id = row
    if assignment_id is None:
        logger.info("lease not inserted item=%s worker=%s", item_id, worker.pk)
        return _RETRY
    assignment.pk = assignment.id = assignment_id
    assignment.item = _load(Item, ("id", "data", "is_gold"), (item_id, data, False))
    assignment._state.adding = False
    return assignment


def _take(*, project: Project, worker: User, now: datetime.datetime, gold: bool):
    """Any database: lock a free item (waiting when every candidate is locked), lease it."""
    with transaction.atomic():
        item = _pick(project=project, worker=worker, gold=False)
        if item is None:
            return None
        if gold:
            # Gold is mixed in only while real work is left, so the real item is picked
            # (and locked) first and simply not used when gold wins the draw.
            item = _pick(project=project, worker=worker, gold=True) or item
        return _lease(item=item, project=project, worker=worker, now=now)


def _pick_query(*, project: Project, worker: User, gold: bool, lock: str = ""):
    """The pick as a raw queryset; `lock` is "" or a FOR UPDATE clause this database has."""
    sql = PICK_ADMITTED_SQL if project.through_listings else PICK_SQL
    return Item.objects.raw(f"{sql}{lock}", _pick_params(project=project, worker=worker, gold=gold))


def _lock_clause(*, skip_locked: bool) -> str:
    # SQLite has no row locks: its IMMEDIATE transactions already serialise every writer.
    features = connection.features
    if not features.has_select_for_update:
        return ""
    if skip_locked and features.has_select_for_update_skip_locked:
        return " FOR UPDATE SKIP LOCKED"
    return " FOR UPDATE"


def _pick(*, project: Project, worker: User, gold: bool) -> Item | None:
    """Lock and return the first free candidate, skipping rows other claims hold."""
    skip = _lock_clause(skip_locked=True)
    item = next(iter(_pick_query(project=project, worker=worker, gold=gold, lock=skip)), None)
    if item is not None or gold:
        return item
    # Every candidate may be locked for a moment by other claims or submits: wait for one
    # instead of telling the worker nothing is left. A waited-for row that no longer
    # qualifies comes back as no row, so look again while candidates exist.
    wait = _lock_clause(skip_locked=False)
    for _attempt in range(PICK_ATTEMPTS):
        item = next(iter(_pick_query(project=project, worker=worker, gold=gold, lock=wait)), None)
        if item is not None:
            return item
        if next(iter(_pick_query(project=project, worker=worker, gold=gold)), None) is None:
            return None
    return None


def _lease(*, item: Item, project: Project, worker: User, now: datetime.datetime):
    assignment = _new_lease(project=project, worker=worker, now=now)
    assignment.item, assignment.is_gold = item, item.is_gold
    try:
        with transaction.atomic():
            assignment.save(force_insert=True)
    except IntegrityError:
        # A unique constraint caught what the query could not see: a lease of this worker
        # committed meanwhile, or this very item.
        logger.info("lease not inserted item=%s worker=%s", item.pk, worker.pk)
        return _RETRY
    changes = {"assigned_count": F("assigned_count") + 1}
    if not item.is_gold:  # gold items ignore overlap and stay open
        changes["is_open"] = Case(
            When(assigned_count__lt=F("extra_answers") + (project.overlap - 1), then=Value(True)),
            default=Value(False),
        )
    Item.objects.filter(pk=item.pk).update(**changes)
    return assignment


# --- Submitting ---------------------------------------------------------------------------

_SUBMIT_A, _SUBMIT_A_NAMES = _columns(Assignment, "a", SUBMIT_ASSIGNMENT_FIELDS)
_SUBMIT_I, _SUBMIT_I_NAMES = _columns(Item, "i", SUBMIT_ITEM_FIELDS)
_SUBMIT_P, _SUBMIT_P_NAMES = _columns(Project, "p", SUBMIT_PROJECT_FIELDS)
# The assignment and its item, locked in that order by one statement (the lock order);
# the project is read, not locked.
_SUBMIT_READ_SQL = (
    f"SELECT {_SUBMIT_A}, {_SUBMIT_I}, {_SUBMIT_P} FROM {_A} a "  # noqa: S608 (model names)
    f"JOIN {_I} i ON i.id = a.item_id JOIN {_P} p ON p.id = a.project_id "
    "WHERE a.id = %s AND a.worker_id = %s"
)
# PostgreSQL: both rows are locked already; one statement updates them.
_SUBMIT_WRITE_SQL = (
    f"WITH answered AS (UPDATE {_A} SET status = %s, answer = %s, submitted_at = %s, "  # noqa: S608
    "work_seconds = %s, gold_score = %s, is_too_fast = %s, review_due_at = %s, "
    "updated_at = %s WHERE id = %s) "
    f"UPDATE {_I} SET submitted_count = submitted_count + 1, "
    "assigned_count = assigned_count + %s, "
    "is_open = CASE WHEN %s AND NOT is_gold THEN assigned_count + 1 < %s + extra_answers "
    "ELSE is_open END, "
    "completed_at = CASE WHEN %s THEN %s ELSE completed_at END WHERE id = %s"
)
# Whether the project still has open real items: the cheap first check of completion, on
# the partial index item_open_pick.
_OPEN_LEFT_SQL = (
    f"SELECT EXISTS (SELECT 1 FROM {_I} o "  # noqa: S608 (model table names)
    "WHERE o.project_id = %s AND o.is_gold = false AND o.is_open)"
)


def assignment_submit(
    *, worker: User, assignment_id: int, answer, now: datetime.datetime | None = None
) -> Assignment:
    """Record the worker's answer to their assignment.

    Idempotent: submitting an answered assignment again returns it and records nothing.
    A lease that ran out is still accepted while the place is the worker's (not reclaimed)
    or the item still has room (the place is taken back); otherwise lease_expired (409).
    Refuses: not_found (404, also for another worker's assignment), not_leased (409, a
    returned task), project_not_active (409), invalid_answer (422 with the field).
    A gold answer is scored and may stop the worker (marketplace/quality.py); the last
    answer the project needs completes it.
    """
    now = _now(now)
    with transaction.atomic():
        lock = " FOR UPDATE OF a, i" if connection.features.has_select_for_update_of else ""
        with connection.cursor() as cursor:
            cursor.execute(_SUBMIT_READ_SQL + lock, [assignment_id, worker.pk])
            row = cursor.fetchone()
        if row is None:
            raise LoopworkError("No such assignment.", code="not_found", status=404)
        a_end = len(_SUBMIT_A_NAMES)
        i_end = a_end + len(_SUBMIT_I_NAMES)
        assignment = _load(Assignment, _SUBMIT_A_NAMES, row[:a_end])
        item = _load(Item, _SUBMIT_I_NAMES, row[a_end:i_end])
        project = _load(Project, _SUBMIT_P_NAMES, row[i_end:])
        assignment.item, assignment.project = item, project
        if assignment.status in Assignment.ANSWERED:
            return assignment
        if project.status not in SUBMITTABLE:
            _raise(_refusal("project_not_active"))
        if assignment.status == Assignment.Status.RETURNED:
            raise LoopworkError(
                "You gave this task back, so it can no longer be submitted.",
                code="not_leased",
                status=409,
            )
        interface = get_interface(project.interface)
        if not isinstance(answer, dict):
            raise InvalidInput("The answer must be a JSON object.", field="answer")
        cleaned = interface.clean_answer(answer, project.label_schema, item.data)
        score = None
        if item.is_gold:
            score = interface.grade(cleaned, item.gold_answer, project.label_schema)

        retaken = assignment.status == Assignment.Status.EXPIRED
        needed = project.overlap + item.extra_answers
        if retaken and not item.is_gold and item.assigned_count >= needed:
            # Reclaimed, and somebody else took the place meanwhile.
            raise LoopworkError(
                "This task's time ran out and it went to another worker. "
                "Your answer is below so you can copy it.",
                code="lease_expired",
                status=409,
            )
        completes_item = not item.is_gold and item.submitted_count + 1 >= needed
        assignment.status = Assignment.Status.SUBMITTED
        assignment.answer = cleaned
        assignment.submitted_at = now
        assignment.work_seconds = max(0, int((now - assignment.leased_at).total_seconds()))
        assignment.gold_score = score
        assignment.is_too_fast = assignment.work_seconds < project.min_work_seconds
        assignment.review_due_at = now + datetime.timedelta(hours=project.auto_approve_hours)
        open_left = _record_answer(
            assignment=assignment, item=item, project=project, retaken=retaken,
            completes_item=completes_item, now=now,
        )  # fmt: skip
        if item.is_gold:
            quality_apply_stop_rule(worker=worker, project=project, now=now)
        elif completes_item:
            if not open_left:
                _complete_project_if_done(project=project, now=now)
            transaction.on_commit(partial(_queue_item_completed, item.pk), robust=True)
    return assignment


def _queue_item_completed(item_id: int) -> None:
    # Imported here: the tasks module imports this one.
    from .tasks import item_completed

    item_completed.delay(item_id)


def _record_answer(
    *,
    assignment: Assignment,
    item: Item,
    project: Project,
    retaken: bool,
    completes_item: bool,
    now: datetime.datetime,
) -> bool:
    """Write the answer and the item's counters (both rows are locked by the caller).

    When the answer completes the item, also says whether the project has open real items
    left (the first check of completion), so that check costs no round trip of its own.
    """
    open_left = False
    if connection.vendor == "postgresql":
        answer_field = Assignment._meta.get_field("answer")
        params = [
            assignment.status, answer_field.get_db_prep_save(assignment.answer, connection),
            now, assignment.work_seconds, assignment.gold_score, assignment.is_too_fast,
            assignment.review_due_at,
            Assignment._meta.get_field("updated_at").pre_save(assignment, False), assignment.pk,
            int(retaken), retaken, project.overlap, completes_item, now, item.pk,
        ]  # fmt: skip
        sql = _SUBMIT_WRITE_SQL
        if completes_item:
            sql += f" RETURNING ({_OPEN_LEFT_SQL})"
            params.append(project.pk)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if completes_item:
                open_left = cursor.fetchone()[0]
        return open_left
    changes = {"submitted_count": F("submitted_count") + 1}
    if retaken:
        # The place is taken back (the caller checked there is room).
        changes["assigned_count"] = F("assigned_count") + 1
        if not item.is_gold:
            changes["is_open"] = Case(
                When(
                    assigned_count__lt=F("extra_answers") + (project.overlap - 1),
                    then=Value(True),
                ),
                default=Value(False),
            )
    if completes_item:
        changes["completed_at"] = Value(now)
    Item.objects.filter(pk=item.pk).update(**changes)
    assignment.save(update_fields=ANSWER_FIELDS)
    if completes_item:
        with connection.cursor() as cursor:
            cursor.execute(_OPEN_LEFT_SQL, [project.pk])
            open_left = bool(cursor.fetchone()[0])
    return open_left


def _complete_project_if_done(*, project: Project, now: datetime.datetime) -> bool:
    """Mark the project completed when every non-gold item has its answers (idempotent).

    The caller has checked that no real item is open (_OPEN_LEFT_SQL).
    """
    items = Item.objects.filter(project_id=project.pk, is_gold=False)
    # Under the project lock each last answer's check runs after the other's commit.
    status = (
        Project.objects.select_for_update()
        .filter(pk=project.pk)
        .values_list("status", flat=True)
        .get()
    )
    if status not in (Project.Status.ACTIVE, Project.Status.PAUSED):
        return False
    if items.filter(submitted_count__lt=F("extra_answers") + project.overlap).exists():
        return False
    if _awaits_aggregation(project, items):
        return False
    Project.objects.filter(pk=project.pk).update(
        status=Project.Status.COMPLETED, finished_at=now, auto_completed=True, updated_at=now
    )
    finished = Project.objects.get(pk=project.pk)
    project_escrow_release(project=finished, key=completion_key(finished, "complete"))
    listing_pay_refresh(listing_ids=finished.listings.values_list("pk", flat=True))
    logger.info("project completed id=%s", project.pk)
    return True


def _awaits_aggregation(project: Project, items) -> bool:
    """With dynamic overlap, a complete item may still be given more answers once aggregated.

    Such a project completes only when every real item is aggregated on all its answers and
    is confident enough or at max_overlap; item_completion_process asks again after each
    aggregation (project_complete_if_done).
    """
    if not project.max_overlap or project.max_overlap <= project.overlap:
        return False
    room = project.max_overlap - project.overlap
    unsettled = (
        Q(result__isnull=True)
        | Q(result__answer_count__lt=F("submitted_count"))
        | Q(result__confidence__lt=project.confidence_target, extra_answers__lt=room)
    )
    return items.filter(unsettled).exists()


def project_complete_if_done(*, project_id: int, now: datetime.datetime | None = None) -> bool:
    """Complete an active or paused project whose real items all have their answers.

    Called after an item's aggregation, which may have settled the last low-confidence item
    of a dynamic-overlap project (or asked it for more answers, which keeps it open).
    """
    now = _now(now)
    with transaction.atomic():
        project = Project.objects.filter(pk=project_id).first()
        if project is None:
            return False
        with connection.cursor() as cursor:
            cursor.execute(_OPEN_LEFT_SQL, [project.pk])
            if cursor.fetchone()[0]:
                return False
        return _complete_project_if_done(project=project, now=now)


# --- Answers that stop or start counting (review) -----------------------------------------


def assignment_place_free(*, assignment: Assignment, now: datetime.datetime | None = None) -> bool:
    """A rejected answer (or one whose pay was reversed for fraud) stops counting: its item's
    place goes back to the pool, so another worker's answer replaces it, and the item is no
    longer done while it has fewer counted answers than it needs. A project the engine had
    completed reopens for the replacement (its escrow still holds the rejected answer's
    cost); a company's own completion or cancellation stays final. Returns whether the
    project reopened.

    Call it in the decision's transaction, with the assignment row locked: the item row,
    then the project row, are locked next (the engine's lock order).
    """
    now = _now(now)
    project = Project.objects.only("pk", "overlap", "status", "auto_completed").get(
        pk=assignment.project_id
    )
    needed = F("extra_answers") + project.overlap
    changes = {
        "assigned_count": F("assigned_count") - 1,
        "submitted_count": F("submitted_count") - 1,
    }
    if not assignment.is_gold:  # gold items ignore overlap and stay open
        # Right-hand sides read the row as it was: count - 1 < needed is count <= needed.
        changes["is_open"] = Case(
            When(assigned_count__lte=needed, then=Value(True)), default=Value(False)
        )
        changes["completed_at"] = Case(
            When(submitted_count__lte=needed, then=Value(None)), default=F("completed_at")
        )
    Item.objects.filter(pk=assignment.item_id).update(**changes)
    if assignment.is_gold or not (
        project.status == Project.Status.COMPLETED and project.auto_completed
    ):
        return False
    still_done = Item.objects.filter(pk=assignment.item_id, completed_at__isnull=False).exists()
    if still_done:
        return False
    reopened = Project.objects.filter(
        pk=project.pk, status=Project.Status.COMPLETED, auto_completed=True
    ).update(status=Project.Status.ACTIVE, finished_at=None, auto_completed=False, updated_at=now)
    if reopened:
        listing_pay_refresh(
            listing_ids=Project.listings.through.objects.filter(project_id=project.pk).values_list(
                "jobpage_id", flat=True
            )
        )
        logger.info("project reopened for a replacement answer id=%s", project.pk)
    return bool(reopened)


def assignment_place_retake(
    *, assignment: Assignment, now: datetime.datetime | None = None
) -> None:
    """A rejection overturned on dispute counts again: its item counts the answer back.

    The replacement may have arrived meanwhile, so the item can end with one answer more
    than its overlap; the worker was wronged and is paid, and the answer is real.
    """
    now = _now(now)
    project = Project.objects.only("pk", "overlap").get(pk=assignment.project_id)
    changes = {
        "assigned_count": F("assigned_count") + 1,
        "submitted_count": F("submitted_count") + 1,
    }
    if not assignment.is_gold:
        needed = F("extra_answers") + project.overlap
        # Right-hand sides read the row as it was: count + 1 >= needed is count >= needed - 1.
        changes["is_open"] = Case(
            When(assigned_count__lt=needed - 1, then=Value(True)), default=Value(False)
        )
        changes["completed_at"] = Case(
            When(submitted_count__gte=needed - 1, completed_at__isnull=True, then=Value(now)),
            default=F("completed_at"),
        )
    Item.objects.filter(pk=assignment.item_id).update(**changes)


# --- Returning and reclaiming -------------------------------------------------------------


def assignment_return(
    *, worker: User, assignment_id: int, now: datetime.datetime | None = None
) -> Assignment:
    """Give a leased task back: its place goes back to the pool (the worker won't get it again).

    Refuses: not_found (404, also for another worker's assignment), not_leased (409).
    """
    now = _now(now)
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update()
            .only("pk", "status", "item_id", "worker_id")
            .filter(pk=assignment_id, worker=worker)
            .first()
        )
        if assignment is None:
            raise LoopworkError("No such assignment.", code="not_found", status=404)
        if assignment.status != Assignment.Status.LEASED:
            raise LoopworkError(
                "This task is not in your hands any more.", code="not_leased", status=409
            )
        Assignment.objects.filter(pk=assignment.pk).update(
            status=Assignment.Status.RETURNED, updated_at=now
        )
        Item.objects.filter(pk=assignment.item_id).update(
            assigned_count=F("assigned_count") - 1, is_open=True
        )
    assignment.status = Assignment.Status.RETURNED
    return assignment


def leases_reclaim_expired(
    *,
    project: Project | None = None,
    now: datetime.datetime | None = None,
    limit: int | None = None,
) -> int:
    """Put the places of expired leases back in the pool; returns how many were reclaimed.

    Idempotent and safe beside claims, submits and another reclaim: each batch locks the
    expired assignments it takes with SKIP LOCKED (a lease being submitted right now is
    left to its submit). `limit` bounds the work (claims reclaim a small batch lazily).
    """
    now = _now(now)
    total = 0
    while limit is None or total < limit:
        size = RECLAIM_BATCH if limit is None else min(RECLAIM_BATCH, limit - total)
        reclaimed = _reclaim_batch(project=project, now=now, size=size)
        total += reclaimed
        if reclaimed < size:
            break
    if total:
        logger.info(
            "reclaimed expired leases count=%s project=%s", total, getattr(project, "pk", None)
        )
    return total


def _reclaim_batch(
    *, project: Project | None, now: datetime.datetime, size: int, worker: User | None = None
) -> int:
    with transaction.atomic():
        expired = Assignment.objects.filter(status=Assignment.Status.LEASED, expires_at__lte=now)
        if project is not None:
            expired = expired.filter(project=project)
        if worker is not None:
            expired = expired.filter(worker=worker)
        rows = list(
            expired.select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", "item_id")[:size]
        )
        if not rows:
            return 0
        Assignment.objects.filter(pk__in=[pk for pk, _item in rows]).update(
            status=Assignment.Status.EXPIRED, updated_at=now
        )
        for item_id, places in sorted(Counter(item for _pk, item in rows).items()):
            Item.objects.filter(pk=item_id).update(
                assigned_count=F("assigned_count") - places, is_open=True
            )
    return len(rows)


# --- Dynamic overlap ----------------------------------------------------------------------


def _reserve_more_answers(*, item_id: int, project_id: int, wanted: int) -> bool:
    """Reserve the budget of an item's extra answers (the item row is locked by the caller);
    False when the company balance cannot pay for them: the item keeps the answers it has."""
    project = Project.objects.get(pk=project_id)
    if project.status not in (Project.Status.ACTIVE, Project.Status.PAUSED):
        return True
    current = Item.objects.filter(pk=item_id).values_list("extra_answers", flat=True).get()
    more = (wanted - current) * cost_with_fee_cents(project.reward_cents)
    try:
        with transaction.atomic():
            escrow_reserve(
                project_id=project.pk,
                company_id=project.company_id,
                amount_cents=more,
                currency=project.currency,
                key=f"escrow:item:{item_id}:extra:{wanted}",
                project_title=project.title,
                breakdown="more answers on a low-confidence item",
            )
    except LoopworkError as error:
        if error.code != "insufficient_balance":
            raise
        logger.info("more answers not funded item=%s project=%s", item_id, project_id)
        return False
    return True


def item_request_more_answers(item_id: int, extra: int) -> bool:
    """Ask for `extra` more answers on a real item beyond the project's overlap, and reopen it.

    The project's `max_overlap` caps the total (overlap + extra); asking for no more than
    the item already wants changes nothing. Returns whether the item now wants more.
    The item's row is locked, so its counters stay exact beside claims and submits.
    """
    with transaction.atomic():
        item = (
            Item.objects.select_for_update()
            .select_related("project")
            .only("pk", "is_gold", "extra_answers", "assigned_count", "project__overlap",
                  "project__max_overlap")
            .filter(pk=item_id)
            .first()
        )  # fmt: skip
        if item is None or item.is_gold:
            return False
        project = item.project
        ceiling = max((project.max_overlap or project.overlap) - project.overlap, 0)
        wanted = min(item.extra_answers + max(extra, 0), ceiling)
        if wanted <= item.extra_answers:
            return False
        if not _reserve_more_answers(item_id=item.pk, project_id=project.pk, wanted=wanted):
            return False
        Item.objects.filter(pk=item.pk).update(
            extra_answers=wanted, is_open=item.assigned_count < project.overlap + wanted
        )
    logger.info("more answers requested item=%s extra=%s", item_id, wanted)
    return True
