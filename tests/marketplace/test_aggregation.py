"""Aggregation: each interface's rule, Dawid-Skene against majority vote on known truth,
agreements, dynamic overlap, and what follows an item's completion (webhooks)."""

import itertools
import random

import pytest

from core.errors import LoopworkError
from marketplace.aggregation import aggregate_item, aggregate_project, item_completion_process
from marketplace.assignment import assignment_claim_next, assignment_submit
from marketplace.models import (
    Assignment,
    Item,
    ItemResult,
    Project,
    WebhookDelivery,
    WebhookEndpoint,
)
from marketplace.review import review_reject
from tests.factories import WorkerFactory
from tests.marketplace.factories import (
    bulk_answers,
    make_items,
    make_project,
    make_reviewer,
    make_workers_fast,
)

pytestmark = pytest.mark.django_db

LABELS = ["positive", "negative", "neutral"]
_batches = itertools.count()


def answered(project, answers, *, item=None):
    """One item answered by a new worker per answer; returns the item."""
    item = item or make_items(project, 1)[0]
    workers = make_workers_fast(len(answers), prefix=f"batch{next(_batches)}-")
    bulk_answers([(item, worker, answer) for worker, answer in zip(workers, answers, strict=True)])
    item.refresh_from_db()
    return item


def agreements(item) -> list[float]:
    return list(item.assignments.order_by("pk").values_list("agreement", flat=True))


# --- Categorical: majority vote ------------------------------------------------------------


def test_majority_vote_picks_the_most_chosen_label_with_its_share():
    project = make_project(overlap=3)
    item = answered(project, [{"label": "negative"}, {"label": "positive"}, {"label": "negative"}])

    result = aggregate_item(item.pk)

    assert result.answer == {"label": "negative"}
    assert result.confidence == pytest.approx(2 / 3, abs=1e-6)
    assert result.method == "majority_vote"
    assert result.answer_count == 3
    assert result.details["votes"] == {"negative": 2, "positive": 1}
    assert agreements(item) == [1.0, 0.0, 1.0]


def test_a_tie_goes_to_the_label_listed_first():
    project = make_project(overlap=2)
    item = answered(project, [{"label": "neutral"}, {"label": "negative"}])

    result = aggregate_item(item.pk)

    assert result.answer == {"label": "negative"}
    assert result.confidence == 0.5


def test_rejected_answers_do_not_count_and_gold_items_get_no_result():
    project = make_project(overlap=3)
    item = answered(project, [{"label": "positive"}, {"label": "positive"}])
    rejected = make_workers_fast(2, prefix="rejected")
    bulk_answers(
        [(item, worker, {"label": "negative"}) for worker in rejected],
        status=Assignment.Status.REJECTED,
    )
    gold = make_items(project, 1, gold_label="positive")[0]
    answered(project, [{"label": "positive"}], item=gold)

    result = aggregate_item(item.pk)

    assert result.answer == {"label": "positive"}
    assert result.answer_count == 2
    assert result.confidence == 1.0
    assert aggregate_item(gold.pk) is None
    assert not ItemResult.objects.filter(item=gold).exists()
    assert list(item.assignments.filter(status="rejected").values_list("agreement", flat=True)) == [
        None,
        None,
    ]


def test_an_item_whose_answers_were_all_rejected_loses_its_result():
    project = make_project(overlap=1)
    item = answered(project, [{"label": "positive"}])
    aggregate_item(item.pk)
    item.assignments.update(status=Assignment.Status.REJECTED, reject_reason="other")

    assert aggregate_item(item.pk) is None
    assert not ItemResult.objects.filter(item=item).exists()


def test_comparison_and_moderation_are_categorical():
    comparison = make_project(interface="comparison", label_schema={"allow_tie": True}, overlap=3)
    item = answered(
        comparison,
        [
            {"choice": "b", "reason": "clearer"},
            {"choice": "b", "reason": ""},
            {"choice": "a", "reason": ""},
        ],
    )
    assert aggregate_item(item.pk).answer == {"choice": "b"}

    moderation = make_project(
        interface="moderation",
        label_schema={"policies": ["Spam", "Hate"], "severities": ["Low", "High"]},
        overlap=3,
    )
    spam = {"labels": ["Spam"], "severity": "Low", "escalate": False, "note": ""}
    item = answered(
        moderation,
        [spam, {**spam, "note": "obvious"}, {"labels": [], "severity": "", "escalate": True}],
    )
    result = aggregate_item(item.pk)
    assert result.answer == {"labels": ["Spam"], "severity": "Low", "escalate": False}
    assert result.confidence == pytest.approx(2 / 3, abs=1e-6)
    assert agreements(item) == [1.0, 1.0, 0.0]


# --- Dawid-Skene against majority vote -----------------------------------------------------


def synthetic_project(seed: int = 0, items: int = 400):
    """Known truth; 3 skilled workers (90%), 4 biased ones (say "positive" 85% of the time
    whatever the item), 3 noisy ones (55%); 3 answers per item from random workers."""
    rng = random.Random(seed)
    project = make_project(overlap=3)
    workers = make_workers_fast(10, prefix="synthetic")
    kinds = [("skilled", 0.9)] * 3 + [("biased", 0.0)] * 4 + [("noisy", 0.55)] * 3
    pool = list(zip(workers, kinds, strict=True))
    truth = {}
    rows = []
    for item in make_items(project, items):
        true = rng.choice(LABELS)
        truth[item.pk] = true
        for worker, (kind, skill) in rng.sample(pool, 3):
            if kind == "biased":
                label = "positive" if rng.random() < 0.85 else rng.choice(LABELS)
            elif rng.random() < skill:
                label = true
            else:
                label = rng.choice([other for other in LABELS if other != true])
            rows.append((item, worker, {"label": label}))
    bulk_answers(rows)
    return project, truth


def accuracy(project, truth) -> float:
    results = ItemResult.objects.filter(project=project).values_list("item_id", "answer")
    return sum(answer["label"] == truth[item_id] for item_id, answer in results) / len(truth)


def test_dawid_skene_beats_majority_vote_on_workers_of_different_skill():
    project, truth = synthetic_project()

    assert aggregate_project(project.pk, "mv") == 400
    majority = accuracy(project, truth)
    assert set(ItemResult.objects.values_list("method", flat=True)) == {"majority_vote"}

    assert aggregate_project(project.pk) == 400
    dawid_skene = accuracy(project, truth)
    assert set(ItemResult.objects.values_list("method", flat=True)) == {"dawid_skene"}

    assert 0.5 < majority < 0.7
    assert dawid_skene >= majority + 0.08
    assert dawid_skene > 0.7


def test_dawid_skene_confidence_is_the_posterior_and_agreements_follow_the_label():
    project, _truth = synthetic_project(seed=1, items=120)

    aggregate_project(project.pk, "ds")

    for result in ItemResult.objects.filter(project=project)[:20]:
        probabilities = result.details["probabilities"]
        assert result.confidence == pytest.approx(max(probabilities.values()), abs=1e-4)
        assert result.answer["label"] == max(probabilities, key=probabilities.get)
        for label, agreement in Assignment.objects.filter(item_id=result.item_id).values_list(
            "answer__label", "agreement"
        ):
            assert agreement == (1.0 if label == result.answer["label"] else 0.0)


def test_aggregating_a_project_again_changes_nothing_and_drops_stale_results():
    project, _truth = synthetic_project(seed=2, items=50)
    aggregate_project(project.pk)
    before = list(ItemResult.objects.values_list("item_id", "answer", "confidence"))
    emptied = Item.objects.filter(project=project).first()
    emptied.assignments.update(status=Assignment.Status.REJECTED, reject_reason="other")

    assert aggregate_project(project.pk) == 49
    after = list(ItemResult.objects.values_list("item_id", "answer", "confidence"))
    assert not ItemResult.objects.filter(item=emptied).exists()
    assert len(after) == 49
    assert all(row[0] != emptied.pk for row in after)
    assert len(before) == 50


def test_an_unknown_method_is_refused():
    project = make_project()
    with pytest.raises(LoopworkError) as refused:
        aggregate_project(project.pk, "median")
    assert refused.value.code == "invalid_method"
    assert refused.value.status == 422


# --- The other interfaces' rules -----------------------------------------------------------


def test_multi_label_classification_keeps_labels_most_answers_chose():
    project = make_project(
        label_schema={"labels": ["cat", "dog", "bird"], "multiple": True}, overlap=3
    )
    item = answered(
        project, [{"labels": ["cat", "dog"]}, {"labels": ["cat"]}, {"labels": ["dog", "bird"]}]
    )

    result = aggregate_item(item.pk)

    assert result.answer == {"labels": ["cat", "dog"]}
    assert result.method == "per_label_majority"
    assert result.confidence == pytest.approx((2 / 3 + 2 / 3 + 2 / 3) / 3, abs=1e-6)
    assert result.details["votes"] == {"cat": 2, "dog": 2, "bird": 1}


def test_ratings_give_the_mean_and_the_spread():
    project = make_project(interface="rating", label_schema={"min": 1, "max": 5}, overlap=3)
    item = answered(project, [{"rating": 4}, {"rating": 5}, {"rating": 3}])

    result = aggregate_item(item.pk)

    assert result.answer == {"rating": 4.0}
    assert result.method == "mean"
    assert result.details["spread"] == pytest.approx(0.816, abs=1e-3)
    assert result.details["median"] == 4
    assert result.confidence == pytest.approx(1 - 0.816497 / 2, abs=1e-4)
    assert agreements(item) == [1.0, 0.75, 0.75]


def test_ratings_at_both_ends_have_no_confidence():
    project = make_project(interface="rating", label_schema={"min": 1, "max": 5}, overlap=2)
    item = answered(project, [{"rating": 1}, {"rating": 5}])
    assert aggregate_item(item.pk).confidence == 0.0


def test_free_text_takes_the_answer_most_similar_to_the_others():
    project = make_project(interface="free_text", label_schema={}, overlap=3)
    item = answered(
        project,
        [
            {"text": "The battery lasts a whole day"},
            {"text": "Battery lasts the whole day and more"},
            {"text": "whole day battery and more"},
        ],
    )

    result = aggregate_item(item.pk)

    assert result.answer == {"text": "Battery lasts the whole day and more"}
    assert result.method == "most_similar"
    # Its word overlap (F1) with the others: 10/13 and 5/6.
    assert result.confidence == pytest.approx((10 / 13 + 5 / 6) / 2, abs=1e-6)
    assert agreements(item) == pytest.approx([10 / 13, 1.0, 5 / 6], abs=1e-6)


def test_transcription_takes_the_central_transcript():
    project = make_project(interface="transcription", label_schema={"language": "English"})
    item = answered(
        project,
        [{"text": "hello wrld"}, {"text": "hello world"}, {"text": "hello world!"}],
    )
    result = aggregate_item(item.pk)
    assert result.answer == {"text": "hello world"}
    assert result.confidence > 0.9


def test_spans_keep_what_most_workers_marked_merged_to_the_median():
    project = make_project(interface="spans", label_schema={"labels": ["Person", "Place"]})
    item = answered(
        project,
        [
            {"spans": [{"start": 0, "end": 5, "label": "Person"}]},
            {"spans": [{"start": 0, "end": 6, "label": "Person"},
                       {"start": 10, "end": 14, "label": "Place"}]},
            {"spans": [{"start": 1, "end": 6, "label": "Person"},
                       {"start": 20, "end": 24, "label": "Place"}]},
        ],
    )  # fmt: skip

    result = aggregate_item(item.pk)

    assert result.answer == {"spans": [{"start": 0, "end": 6, "label": "Person"}]}
    assert result.method == "overlap_clustering"
    assert result.details["clusters"] == 3
    assert result.details["kept"] == 1


def test_spans_of_another_label_do_not_join_a_cluster():
    project = make_project(interface="spans", label_schema={"labels": ["Person", "Place"]})
    item = answered(
        project,
        [
            {"spans": [{"start": 0, "end": 5, "label": "Person"}]},
            {"spans": [{"start": 0, "end": 5, "label": "Place"}]},
        ],
    )
    # One worker of two is not a majority.
    assert aggregate_item(item.pk).answer == {"spans": []}


def test_regions_keep_boxes_most_workers_drew_with_enough_overlap():
    project = make_project(interface="regions", label_schema={"labels": ["car", "person"]})
    car = {"x": 0.1, "y": 0.1, "w": 0.3, "h": 0.2, "label": "car"}
    item = answered(
        project,
        [
            {"boxes": [car]},
            {"boxes": [{**car, "x": 0.12}, {"x": 0.6, "y": 0.6, "w": 0.1, "h": 0.1,
                                             "label": "person"}]},
            {"boxes": [{**car, "x": 0.14, "w": 0.28}]},
        ],
    )  # fmt: skip

    result = aggregate_item(item.pk)

    assert result.answer == {"boxes": [{"x": 0.12, "y": 0.1, "w": 0.3, "h": 0.2, "label": "car"}]}
    assert agreements(item)[0] == 1.0
    assert agreements(item)[1] == pytest.approx(2 / 3, abs=1e-6)


# --- Dynamic overlap -----------------------------------------------------------------------


def test_a_low_confidence_item_asks_for_one_more_answer_up_to_max_overlap():
    project = make_project(overlap=3, max_overlap=4, balance_cents=10_000, confidence_target=0.7)
    item = answered(project, [{"label": "positive"}, {"label": "negative"}, {"label": "positive"}])

    aggregate_item(item.pk)

    item.refresh_from_db()
    assert item.extra_answers == 1
    assert item.is_open is True

    # The fourth answer agrees; at max_overlap nothing more is asked, however low.
    answered(project, [{"label": "negative"}], item=item)
    aggregate_item(item.pk)
    item.refresh_from_db()
    assert item.extra_answers == 1
    assert item.result.confidence == 0.5


def test_confident_items_and_projects_without_max_overlap_ask_for_nothing():
    confident = make_project(overlap=2, max_overlap=5, balance_cents=10_000)
    item = answered(confident, [{"label": "positive"}, {"label": "positive"}])
    aggregate_item(item.pk)
    item.refresh_from_db()
    assert item.extra_answers == 0

    unlimited = make_project(overlap=2)
    item = answered(unlimited, [{"label": "positive"}, {"label": "negative"}])
    aggregate_item(item.pk)
    item.refresh_from_db()
    assert item.extra_answers == 0


def test_an_item_still_collecting_answers_is_not_asked_for_more():
    project = make_project(overlap=3, max_overlap=5, balance_cents=10_000)
    item = answered(project, [{"label": "positive"}, {"label": "negative"}])

    aggregate_project(project.pk)

    item.refresh_from_db()
    assert item.extra_answers == 0


def test_project_aggregation_asks_more_answers_for_low_confidence_items():
    project = make_project(overlap=2, max_overlap=3, balance_cents=10_000, confidence_target=0.9)
    split = answered(project, [{"label": "positive"}, {"label": "negative"}])
    agreed = answered(project, [{"label": "neutral"}, {"label": "neutral"}])

    aggregate_project(project.pk, "mv")

    split.refresh_from_db()
    agreed.refresh_from_db()
    assert (split.extra_answers, split.is_open) == (1, True)
    assert agreed.extra_answers == 0


# --- Completion: the task and its webhooks -------------------------------------------------


def endpoint(company, events=("item.completed", "project.completed")):
    return WebhookEndpoint.objects.create(
        company=company, url="https://hooks.example.org/loopwork", events=list(events)
    )


def test_item_completion_emits_item_completed_once():
    project = make_project(overlap=2)
    endpoint(project.company)
    item = answered(project, [{"label": "positive"}, {"label": "positive"}])

    item_completion_process(item.pk)
    item_completion_process(item.pk)

    delivery = WebhookDelivery.objects.get(event="item.completed")
    assert delivery.payload == {
        "project_id": project.pk,
        "item_id": item.pk,
        "external_id": "",
        "answer": {"label": "positive"},
        "confidence": 1.0,
        "method": "majority_vote",
        "answer_count": 2,
    }


def test_an_item_given_more_answers_is_not_announced_yet():
    project = make_project(overlap=2, max_overlap=3, balance_cents=10_000)
    endpoint(project.company)
    item = answered(project, [{"label": "positive"}, {"label": "negative"}])

    item_completion_process(item.pk)

    assert not WebhookDelivery.objects.exists()
    item.refresh_from_db()
    assert item.extra_answers == 1


def test_the_last_item_completes_the_project_aggregates_it_and_announces_it_once(
    django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr("marketplace.tasks.deliver_webhook.delay", sent.append)
    project = make_project(overlap=1, max_assignments_per_worker=None)
    endpoint(project.company)
    items = make_items(project, 2)
    worker = WorkerFactory()
    for _ in items:
        assignment = assignment_claim_next(worker=worker, project=project)
        with django_capture_on_commit_callbacks(execute=True):
            assignment_submit(
                worker=worker, assignment_id=assignment.pk, answer={"label": "neutral"}
            )

    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED
    assert ItemResult.objects.filter(project=project).count() == 2
    assert set(ItemResult.objects.values_list("method", flat=True)) == {"dawid_skene"}
    assert WebhookDelivery.objects.filter(event="item.completed").count() == 2
    completed = WebhookDelivery.objects.get(event="project.completed")
    assert completed.payload["project_id"] == project.pk
    assert completed.payload["items_aggregated"] == 2

    assert len(sent) == 3
    item_completion_process(items[-1].pk)
    assert WebhookDelivery.objects.filter(event="project.completed").count() == 1


def _answer_through_the_engine(project, label, capture):
    worker = WorkerFactory()
    assignment = assignment_claim_next(worker=worker, project=project)
    with capture(execute=True):
        assignment_submit(worker=worker, assignment_id=assignment.pk, answer={"label": label})


def test_a_dynamic_overlap_project_stays_open_until_its_last_item_is_confident(
    django_capture_on_commit_callbacks,
):
    project = make_project(
        overlap=2,
        max_overlap=3,
        balance_cents=10_000,
        confidence_target=0.9,
        max_assignments_per_worker=None,
    )
    (item,) = make_items(project, 1)

    _answer_through_the_engine(project, "positive", django_capture_on_commit_callbacks)
    _answer_through_the_engine(project, "negative", django_capture_on_commit_callbacks)

    # The split answers ask for a third instead of completing the project.
    project.refresh_from_db()
    item.refresh_from_db()
    assert project.status == Project.Status.ACTIVE
    assert (item.extra_answers, item.is_open) == (1, True)

    _answer_through_the_engine(project, "positive", django_capture_on_commit_callbacks)

    # At max_overlap the item is settled, however low its confidence, and the project ends.
    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED
    assert item.result.answer_count == 3


def test_a_dynamic_overlap_project_whose_answers_agree_completes_at_once(
    django_capture_on_commit_callbacks,
):
    project = make_project(
        overlap=2,
        max_overlap=3,
        balance_cents=10_000,
        confidence_target=0.9,
        max_assignments_per_worker=None,
    )
    make_items(project, 1)

    _answer_through_the_engine(project, "neutral", django_capture_on_commit_callbacks)
    _answer_through_the_engine(project, "neutral", django_capture_on_commit_callbacks)

    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED


def test_rejecting_an_answer_recomputes_the_items_result(django_capture_on_commit_callbacks):
    project = make_project(overlap=3)
    item = answered(project, [{"label": "negative"}, {"label": "positive"}, {"label": "positive"}])
    aggregate_item(item.pk)
    outlier, *_ = item.assignments.order_by("pk")

    with django_capture_on_commit_callbacks(execute=True):
        review_reject(
            outlier.pk,
            reviewer=make_reviewer(project.company),
            reason=Assignment.RejectReason.DISAGREES,
            comment="The review shows a positive tone.",
        )

    item.result.refresh_from_db()
    assert (item.result.answer, item.result.confidence, item.result.answer_count) == (
        {"label": "positive"},
        1.0,
        2,
    )


def test_a_review_decision_on_an_item_not_yet_aggregated_computes_nothing(
    django_capture_on_commit_callbacks,
):
    project = make_project(overlap=3)
    item = answered(project, [{"label": "negative"}, {"label": "positive"}])

    with django_capture_on_commit_callbacks(execute=True):
        review_reject(
            item.assignments.order_by("pk").first().pk,
            reviewer=make_reviewer(project.company),
            reason=Assignment.RejectReason.DISAGREES,
            comment="Off topic.",
        )

    assert not ItemResult.objects.filter(item=item).exists()
