"""Aggregation: one trusted answer per item from its workers' answers, with a confidence.

Only answers that count are used: submitted or approved (a rejection, or an answer out for
revision, does not). Gold items are checks of the workers, not the company's data, so they
get no result. The rule depends on the interface:

- categorical answers (a single classification label, a comparison's choice, a moderation
  decision: its policies, severity and escalation together) use majority vote for one item
  and Dawid-Skene (crowd-kit) across a whole project. Majority vote's confidence is the
  winning share of votes (ties go to the label listed first); Dawid-Skene's is the
  posterior probability of the label it chose, which weighs each worker by the skill the
  model estimates for them;
- multi-label classification: each label is kept when more than half of the answers chose
  it; confidence is the mean, over the labels, of the share of answers on the winning side;
- ratings: the mean, with the spread (standard deviation); confidence is
  1 - spread / (half the scale's range), so full agreement is 1 and a split between the
  two ends is 0;
- free text and transcription: the answer most similar to the others (the interface's
  `agreement`); confidence is its mean similarity to the others;
- spans and regions: overlap clustering. Same-label objects whose overlap (IoU) with a
  cluster reaches the interface's tolerance (0.5) join it, one object per worker; clusters
  drawn by more than half of the workers are kept, merged to the median of their
  coordinates. Confidence is the mean agreement of the answers with the merged answer.

Each counted answer's `Assignment.agreement` is set to the interface's agreement (0..1)
between it and the aggregated answer.

Dynamic overlap: an item whose confidence ends below the project's `confidence_target`
gets one more answer (marketplace.assignment.item_request_more_answers), up to the
project's `max_overlap`, while the project is active or paused. Until the ledger exists,
`max_overlap` is the budget's cap.

crowd-kit and pandas are imported only here, and only when Dawid-Skene runs: they take
seconds to import, which the web process and every item's task should not pay.
"""

import json
import logging
import statistics
import warnings
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby

from django.db import connection, transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone

from annotation.base import Interface
from annotation.registry import get_interface
from annotation.similarity import box_iou, span_iou
from core.errors import LoopworkError

from .assignment import item_request_more_answers, project_complete_if_done
from .models import Assignment, Item, ItemResult, Project, WebhookDelivery
from .webhooks import webhook_emit

logger = logging.getLogger(__name__)

# The answers a result is made from: the same that count toward an item's overlap
# (a rejected answer never counts; its replacement does).
COUNTED = Assignment.COUNTED
METHODS = ("mv", "ds")
WRITE_BATCH = 2000
READ_CHUNK = 5000
DS_ITERATIONS = 100
LOW_CONFIDENCE_LIST = 20
HISTOGRAM_BINS = 10

METHOD_NAMES = {
    "majority_vote": "Majority vote",
    "dawid_skene": "Dawid-Skene",
    "per_label_majority": "Majority per label",
    "mean": "Mean rating",
    "most_similar": "Most similar answer",
    "overlap_clustering": "Overlap clustering",
}


@dataclass(frozen=True)
class Answer:
    assignment_id: int
    worker_id: int
    answer: dict


@dataclass
class Outcome:
    """What a rule concludes about one item."""

    answer: dict
    confidence: float
    method: str
    details: dict = field(default_factory=dict)


# --- Categorical answers ------------------------------------------------------------------


def is_categorical(project: Project) -> bool:
    """Whether the project's answers are categories that majority vote and Dawid-Skene fit."""
    if project.interface == "classification":
        return not project.label_schema.get("multiple", False)
    return project.interface in ("comparison", "moderation")


def category_of(project: Project, answer: dict) -> str:
    """The answer's category as a string key (a moderation decision as compact JSON)."""
    if project.interface == "classification":
        return answer.get("label", "")
    if project.interface == "comparison":
        return answer.get("choice", "")
    return json.dumps(
        [answer.get("labels", []), answer.get("severity", ""), bool(answer.get("escalate"))],
        separators=(",", ":"),
        ensure_ascii=False,
    )


def answer_of(project: Project, category: str) -> dict:
    """The aggregated answer a category stands for (the inverse of category_of)."""
    if project.interface == "classification":
        return {"label": category}
    if project.interface == "comparison":
        return {"choice": category}
    labels, severity, escalate = json.loads(category)
    return {"labels": labels, "severity": severity, "escalate": escalate}


def _category_order(project: Project) -> dict[str, int]:
    """Rank of categories for breaking ties the same way every time: schema order first."""
    config = project.label_schema
    if project.interface == "classification":
        names = config.get("labels", [])
    elif project.interface == "comparison":
        names = ["a", "b", "tie"]
    else:
        names = []
    return {name: rank for rank, name in enumerate(names)}


def majority_vote(project: Project, answers: list[Answer]) -> Outcome:
    """The most chosen category; confidence is its share of the votes."""
    votes = Counter(category_of(project, a.answer) for a in answers)
    order = _category_order(project)
    winner = min(votes, key=lambda c: (-votes[c], order.get(c, len(order)), c))
    return Outcome(
        answer=answer_of(project, winner),
        confidence=votes[winner] / len(answers),
        method="majority_vote",
        details={"votes": dict(votes.most_common())},
    )


# --- The other interfaces' rules ----------------------------------------------------------


def per_label_majority(project: Project, answers: list[Answer]) -> Outcome:
    labels = project.label_schema.get("labels", [])
    counts = Counter(label for a in answers for label in a.answer.get("labels", []))
    total = len(answers)
    chosen = [label for label in labels if counts[label] * 2 > total]
    shares = [max(counts[label], total - counts[label]) / total for label in labels]
    return Outcome(
        answer={"labels": chosen},
        confidence=sum(shares) / len(shares) if shares else 1.0,
        method="per_label_majority",
        details={"votes": {label: counts[label] for label in labels if counts[label]}},
    )


def mean_rating(project: Project, answers: list[Answer]) -> Outcome:
    ratings = [a.answer["rating"] for a in answers]
    mean = statistics.fmean(ratings)
    spread = statistics.pstdev(ratings)
    half_range = (project.label_schema["max"] - project.label_schema["min"]) / 2
    confidence = 1.0 - spread / half_range if half_range else 1.0
    return Outcome(
        answer={"rating": round(mean, 3)},
        confidence=max(0.0, min(1.0, confidence)),
        method="mean",
        details={
            "mean": round(mean, 3),
            "median": statistics.median(ratings),
            "spread": round(spread, 3),
            "min": min(ratings),
            "max": max(ratings),
            "ratings": dict(Counter(str(r) for r in ratings)),
        },
    )


def most_similar(project: Project, answers: list[Answer], interface: Interface) -> Outcome:
    """The medoid: the answer whose mean agreement with the others is highest."""
    if len(answers) == 1:
        text = answers[0].answer.get("text", "")
        return Outcome({"text": text}, 1.0, "most_similar", {"chosen_from": 1})
    config = project.label_schema
    scores = []
    for index, first in enumerate(answers):
        others = [
            interface.agreement(first.answer, second.answer, config)
            for other, second in enumerate(answers)
            if other != index
        ]
        scores.append(sum(others) / len(others))
    best = max(range(len(answers)), key=lambda i: (scores[i], -i))
    return Outcome(
        answer={"text": answers[best].answer.get("text", "")},
        confidence=scores[best],
        method="most_similar",
        details={"chosen_from": len(answers)},
    )


def _median_object(members: list[dict], keys: tuple[str, ...], integer: bool) -> dict:
    merged = {}
    for key in keys:
        value = statistics.median(member[key] for member in members)
        merged[key] = round(value) if integer else round(value, 6)
    return merged


def overlap_clusters(
    answers: list[Answer],
    *,
    objects_key: str,
    overlap: Callable[[dict, dict], float],
    threshold: float,
    coordinates: tuple[str, ...],
    integer: bool,
) -> tuple[list[dict], int]:
    """Objects that more than half of the workers drew (same label, overlap ≥ threshold).

    Each object joins the same-label cluster it overlaps most (measured against the first
    object of the cluster), never a cluster that already has an object of its worker.
    Returns the merged objects in reading order and the number of clusters considered.
    """
    clusters: list[dict] = []
    for answer in answers:
        for obj in answer.answer.get(objects_key, []):
            best, best_score = None, 0.0
            for cluster in clusters:
                if cluster["label"] != obj["label"] or answer.worker_id in cluster["workers"]:
                    continue
                score = overlap(cluster["members"][0], obj)
                if score >= threshold and score > best_score:
                    best, best_score = cluster, score
            if best is None:
                clusters.append({"label": obj["label"], "members": [obj], "workers": set()})
                best = clusters[-1]
            else:
                best["members"].append(obj)
            best["workers"].add(answer.worker_id)
    workers = len({a.worker_id for a in answers})
    kept = [
        {**_median_object(c["members"], coordinates, integer), "label": c["label"]}
        for c in clusters
        if len(c["workers"]) * 2 > workers
    ]
    kept.sort(key=lambda obj: tuple(obj[key] for key in coordinates))
    return kept, len(clusters)


def clustered(project: Project, answers: list[Answer], interface: Interface) -> Outcome:
    if project.interface == "spans":
        key, measure, coordinates, integer = "spans", span_iou, ("start", "end"), True
    else:
        key, measure, coordinates, integer = "boxes", box_iou, ("x", "y", "w", "h"), False
    kept, considered = overlap_clusters(
        answers,
        objects_key=key,
        overlap=measure,
        threshold=interface.default_tolerance,
        coordinates=coordinates,
        integer=integer,
    )
    result = {key: kept}
    agreements = [interface.agreement(a.answer, result, project.label_schema) for a in answers]
    return Outcome(
        answer=result,
        confidence=sum(agreements) / len(agreements),
        method="overlap_clustering",
        details={
            "clusters": considered,
            "kept": len(kept),
            "iou_threshold": interface.default_tolerance,
        },
    )


def item_rule(project: Project, answers: list[Answer]) -> Outcome:
    """The item-level rule of the project's interface (majority vote for categories)."""
    interface = get_interface(project.interface)
    if is_categorical(project):
        return majority_vote(project, answers)
    if project.interface == "classification":
        return per_label_majority(project, answers)
    if project.interface == "rating":
        return mean_rating(project, answers)
    if project.interface in ("free_text", "transcription"):
        return most_similar(project, answers, interface)
    if project.interface in ("spans", "regions"):
        return clustered(project, answers, interface)
    raise LoopworkError(
        "This interface has no aggregation rule.", code="no_aggregation_rule", status=422
    )


# --- Writing results ----------------------------------------------------------------------


class _Writer:
    """Collects results and agreements and writes them in batches (upsert, bulk update)."""

    def __init__(self, project: Project):
        self.project = project
        self.interface = get_interface(project.interface)
        self.results: list[ItemResult] = []
        self.agreements: list[tuple[int, float]] = []
        self.low_confidence: list[tuple[int, int]] = []
        self.written = 0

    def add(self, item_id: int, answers: list[Answer], outcome: Outcome, agreements=None):
        now = timezone.now()
        self.results.append(
            ItemResult(
                item_id=item_id,
                project_id=self.project.pk,
                answer=outcome.answer,
                confidence=round(outcome.confidence, 6),
                method=outcome.method,
                answer_count=len(answers),
                details=outcome.details,
                updated_at=now,
            )
        )
        if agreements is None:
            config = self.project.label_schema
            agreements = [
                self.interface.agreement(a.answer, outcome.answer, config) for a in answers
            ]
        self.agreements.extend(
            (a.assignment_id, round(value, 6)) for a, value in zip(answers, agreements, strict=True)
        )
        if outcome.confidence < self.project.confidence_target:
            self.low_confidence.append((item_id, len(answers)))
        if len(self.results) >= WRITE_BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.results:
            return
        with transaction.atomic():
            ItemResult.objects.bulk_create(
                self.results,
                update_conflicts=True,
                unique_fields=["item"],
                update_fields=[
                    "answer",
                    "confidence",
                    "method",
                    "answer_count",
                    "details",
                    "updated_at",
                ],
            )
            set_agreements(self.agreements)
        self.written += len(self.results)
        self.results, self.agreements = [], []


def set_agreements(pairs: list[tuple[int, float]]) -> None:
    """Set Assignment.agreement for (assignment id, value) pairs in one statement per batch."""
    if not pairs:
        return
    if connection.vendor == "postgresql":
        ids, values = zip(*pairs, strict=True)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Assignment._meta.db_table} AS a SET agreement = v.agreement "  # noqa: S608 (model table name)
                "FROM unnest(%s::bigint[], %s::float8[]) AS v(id, agreement) WHERE a.id = v.id",
                [list(ids), list(values)],
            )
        return
    Assignment.objects.bulk_update(
        [Assignment(pk=pk, agreement=value) for pk, value in pairs], ["agreement"], batch_size=500
    )


def _request_more_answers(project: Project, low_confidence: Iterable[tuple[int, int]]) -> int:
    """Ask one more answer for each complete low-confidence item below max_overlap."""
    if not project.max_overlap or project.max_overlap <= project.overlap:
        return 0
    if project.status not in (Project.Status.ACTIVE, Project.Status.PAUSED):
        return 0
    counts = dict(low_confidence)
    asked = 0
    ids = [pk for pk, count in counts.items() if count < project.max_overlap]
    for start in range(0, len(ids), WRITE_BATCH):
        complete = Item.objects.filter(pk__in=ids[start : start + WRITE_BATCH]).values_list(
            "pk", "submitted_count", "extra_answers"
        )
        for pk, submitted, extra in complete:
            # Only items that have every answer they asked for: others are still coming in.
            if submitted >= project.overlap + extra and item_request_more_answers(pk, 1):
                asked += 1
    return asked


# --- Entry points -------------------------------------------------------------------------


def _counted_answers(**filters):
    return Assignment.objects.filter(is_gold=False, status__in=COUNTED, **filters)


def aggregate_item(item_id: int) -> ItemResult | None:
    """Aggregate one item with its interface's item rule (majority vote for categories).

    Idempotent: the result and agreements are overwritten with the same values. Returns
    None for a gold or unknown item, and for an item without counted answers (whose old
    result, if its answers were rejected since, is removed).
    """
    item = Item.objects.select_related("project").filter(pk=item_id).first()
    if item is None or item.is_gold:
        return None
    project = item.project
    answers = [
        Answer(pk, worker_id, answer)
        for pk, worker_id, answer in _counted_answers(item_id=item_id)
        .order_by("pk")
        .values_list("pk", "worker_id", "answer")
    ]
    if not answers:
        ItemResult.objects.filter(item_id=item_id).delete()
        return None
    writer = _Writer(project)
    writer.add(item_id, answers, item_rule(project, answers))
    writer.flush()
    _request_more_answers(project, writer.low_confidence)
    return ItemResult.objects.get(item_id=item_id)


def _answers_by_item(project: Project) -> Iterator[tuple[int, list[Answer]]]:
    """The project's counted answers grouped by item, read in chunks (item order)."""
    rows = (
        _counted_answers(project_id=project.pk)
        .order_by("item_id", "pk")
        .values_list("item_id", "pk", "worker_id", "answer")
        .iterator(chunk_size=READ_CHUNK)
    )
    for item_id, group in groupby(rows, key=lambda row: row[0]):
        yield item_id, [Answer(pk, worker_id, answer) for _item, pk, worker_id, answer in group]


def aggregate_project(project_id: int, method: str | None = None) -> int:
    """Aggregate every real item of a project; returns how many items got a result.

    `method`: "ds" (Dawid-Skene, the default for categorical interfaces) or "mv" (majority
    vote, item by item); other interfaces always use their own rule. Answers are read in
    chunks and results written in batches; results of items left without counted answers
    are removed. Idempotent.
    """
    if method is not None and method not in METHODS:
        raise LoopworkError(
            "Choose mv (majority vote) or ds (Dawid-Skene).",
            code="invalid_method",
            field="method",
            status=422,
        )
    project = Project.objects.get(pk=project_id)
    started = timezone.now()
    writer = _Writer(project)
    if is_categorical(project) and method != "mv":
        _dawid_skene(project, writer)
    else:
        for item_id, answers in _answers_by_item(project):
            writer.add(item_id, answers, item_rule(project, answers))
    writer.flush()
    ItemResult.objects.filter(project_id=project.pk, updated_at__lt=started).delete()
    asked = _request_more_answers(project, writer.low_confidence)
    logger.info(
        "project aggregated id=%s items=%s method=%s more_answers=%s",
        project.pk,
        writer.written,
        method or "default",
        asked,
    )
    return writer.written


def _dawid_skene(project: Project, writer: _Writer) -> None:
    """Fit Dawid-Skene on all the project's categorical answers at once, then write.

    The answers are held as compact integer arrays (item, worker, category code), not as
    objects, so a million answers take tens of megabytes.
    """
    import numpy as np
    import pandas as pd
    from crowdkit.aggregation import DawidSkene

    codes: dict[str, int] = {}
    item_ids, worker_ids, labels, assignment_ids = array("q"), array("q"), array("q"), array("q")
    rows = (
        _counted_answers(project_id=project.pk)
        .order_by("item_id", "pk")
        .values_list("item_id", "pk", "worker_id", "answer")
        .iterator(chunk_size=READ_CHUNK)
    )
    for item_id, pk, worker_id, answer in rows:
        item_ids.append(item_id)
        assignment_ids.append(pk)
        worker_ids.append(worker_id)
        labels.append(codes.setdefault(category_of(project, answer), len(codes)))
    if not item_ids:
        return
    frame = pd.DataFrame(
        {
            "task": np.frombuffer(item_ids, dtype=np.int64),
            "worker": np.frombuffer(worker_ids, dtype=np.int64),
            "label": np.frombuffer(labels, dtype=np.int64),
        }
    )
    with warnings.catch_warnings():
        # crowd-kit 1.4 still passes pandas arguments pandas 3 deprecates; nothing to act on.
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        model = DawidSkene(n_iter=DS_ITERATIONS).fit(frame)
    probabilities = model.probas_
    matrix = probabilities.to_numpy()
    columns = [int(code) for code in probabilities.columns]
    row_of = {int(task): row for row, task in enumerate(probabilities.index)}
    del frame, model
    categories = {code: category for category, code in codes.items()}
    answers_of = {code: answer_of(project, category) for category, code in codes.items()}
    agreement_cache: dict[tuple[int, int], float] = {}
    config = project.label_schema

    def agreement(given: int, chosen: int) -> float:
        if (given, chosen) not in agreement_cache:
            agreement_cache[given, chosen] = writer.interface.agreement(
                answers_of[given], answers_of[chosen], config
            )
        return agreement_cache[given, chosen]

    start = 0
    total = len(item_ids)
    while start < total:
        item_id = item_ids[start]
        end = start
        while end < total and item_ids[end] == item_id:
            end += 1
        posterior = matrix[row_of[item_id]]
        best = int(posterior.argmax())
        chosen = columns[best]
        given = labels[start:end]
        answers = [
            Answer(assignment_ids[i], worker_ids[i], answers_of[labels[i]])
            for i in range(start, end)
        ]
        top = sorted(zip(columns, posterior.tolist(), strict=True), key=lambda p: -p[1])[:5]
        outcome = Outcome(
            answer=answers_of[chosen],
            confidence=float(posterior[best]),
            method="dawid_skene",
            details={
                "votes": dict(Counter(categories[code] for code in given).most_common()),
                "probabilities": {categories[code]: round(p, 4) for code, p in top if p >= 1e-4},
            },
        )
        writer.add(item_id, answers, outcome, [agreement(code, chosen) for code in given])
        start = end


# --- Completion: aggregate and announce ---------------------------------------------------


def _announced(company_id: int, event: str, **keys) -> bool:
    lookups = {f"payload__{key}": value for key, value in keys.items()}
    return WebhookDelivery.objects.filter(
        endpoint__company_id=company_id, event=event, **lookups
    ).exists()


def item_completion_process(item_id: int) -> ItemResult | None:
    """What follows an item's last answer: aggregate it, then tell the company.

    "item.completed" goes out unless the item was just given more answers (low confidence);
    when the project is completed, it is aggregated as a whole (Dawid-Skene for categories)
    and "project.completed" goes out. Idempotent: each event is emitted once per item and
    answer count, and once per project.
    """
    result = aggregate_item(item_id)
    if result is None:
        return None
    item = Item.objects.select_related("project").get(pk=item_id)
    project = item.project
    # The engine leaves a dynamic-overlap project open until its items are aggregated.
    if project.status in (
        Project.Status.ACTIVE,
        Project.Status.PAUSED,
    ) and project_complete_if_done(project_id=project.pk):
        project.refresh_from_db()
    if item.submitted_count < project.overlap + item.extra_answers:
        return result
    if not _announced(
        project.company_id, "item.completed", item_id=item_id, answer_count=result.answer_count
    ):
        webhook_emit(
            project.company_id,
            "item.completed",
            {
                "project_id": project.pk,
                "item_id": item_id,
                "external_id": item.external_id,
                "answer": result.answer,
                "confidence": result.confidence,
                "method": result.method,
                "answer_count": result.answer_count,
            },
        )
    if project.status == Project.Status.COMPLETED and not _announced(
        project.company_id, "project.completed", project_id=project.pk
    ):
        aggregated = aggregate_project(project.pk)
        webhook_emit(
            project.company_id,
            "project.completed",
            {
                "project_id": project.pk,
                "title": project.title,
                "items_aggregated": aggregated,
                "finished_at": project.finished_at.isoformat() if project.finished_at else None,
            },
        )
    return result


def item_result_refresh(item_id: int) -> ItemResult | None:
    """Recompute an aggregated item after a review changed which of its answers count
    (a rejection, an overturned one, a revised answer). Items not aggregated yet wait for
    their last answer; nothing is announced again."""
    if not ItemResult.objects.filter(item_id=item_id).exists():
        return None
    return aggregate_item(item_id)


# --- Reads for the results page -----------------------------------------------------------


@dataclass(frozen=True)
class ResultsSummary:
    items_total: int
    items_aggregated: int
    answers: int
    mean_confidence: float | None
    low_confidence_count: int
    histogram: list[dict]
    methods: list[tuple[str, int]]


def results_summary(*, project: Project) -> ResultsSummary:
    """Figures for the results page in three aggregate queries, whatever the project's size."""
    results = ItemResult.objects.filter(project_id=project.pk)
    bins = {
        f"bin{n}": Count(
            "pk",
            filter=Q(confidence__gte=n / HISTOGRAM_BINS)
            & (Q(confidence__lt=(n + 1) / HISTOGRAM_BINS) if n < HISTOGRAM_BINS - 1 else Q()),
        )
        for n in range(HISTOGRAM_BINS)
    }
    figures = results.aggregate(
        count=Count("pk"),
        mean=Avg("confidence"),
        low=Count("pk", filter=Q(confidence__lt=project.confidence_target)),
        **bins,
    )
    counts = [figures[f"bin{n}"] for n in range(HISTOGRAM_BINS)]
    tallest = max(counts) or 1
    histogram = [
        {
            "low": n / HISTOGRAM_BINS,
            "high": (n + 1) / HISTOGRAM_BINS,
            "count": count,
            "height": round(100 * count / tallest, 1),
        }
        for n, count in enumerate(counts)
    ]
    methods = list(results.values_list("method").annotate(n=Count("pk")).order_by("-n", "method"))
    return ResultsSummary(
        items_total=Item.objects.filter(project_id=project.pk, is_gold=False).count(),
        items_aggregated=figures["count"],
        answers=_counted_answers(project_id=project.pk).count(),
        mean_confidence=figures["mean"],
        low_confidence_count=figures["low"],
        histogram=histogram,
        methods=[(METHOD_NAMES.get(name, name), n) for name, n in methods],
    )


def low_confidence_results(*, project: Project, limit: int = LOW_CONFIDENCE_LIST) -> list:
    """The least confident results below the project's target, least confident first."""
    return list(
        ItemResult.objects.filter(project_id=project.pk, confidence__lt=project.confidence_target)
        .select_related("item")
        .order_by("confidence", "item_id")[:limit]
    )
