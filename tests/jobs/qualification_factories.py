"""Builders for qualification tests (used by tests/jobs/test_qualification*.py)."""

import copy

from jobs.qualification_io import FORMAT, qualification_test_import

_counter = iter(range(1, 10**9))


def question_pool() -> list[dict]:
    """Four questions, one of each kind; every key text is unique on the page."""
    return [
        {
            "kind": "single_choice",
            "prompt": "Which result best answers the query?",
            "context": "Query: weather in Lisbon\nResult: A 7-day forecast page",
            "weight": 1,
            "explanation": "EXPLAIN-SINGLE forecasts answer weather queries.",
            "options": [
                {"text": "KEYOPT-forecast", "correct": True},
                {"text": "decoy-history", "correct": False},
                {"text": "decoy-hotels", "correct": False},
            ],
        },
        {
            "kind": "multiple_choice",
            "prompt": "Which replies break the policy?",
            "weight": 2,
            "explanation": "EXPLAIN-MULTI insults and doxxing break it.",
            "options": [
                {"text": "KEYMULTI-insult", "correct": True},
                {"text": "KEYMULTI-doxx", "correct": True},
                {"text": "decoy-polite", "correct": False},
                {"text": "decoy-neutral", "correct": False},
            ],
        },
        {
            "kind": "short_text",
            "prompt": "Name the label for spam.",
            "weight": 1,
            "explanation": "EXPLAIN-TEXT the label is spam.",
            "accepted_answers": ["Keyword-Spamlabel"],
            "regex": "keyregex-\\d+",
        },
        {
            "kind": "numeric",
            "prompt": "How many boxes are in the image?",
            "weight": 1,
            "explanation": "EXPLAIN-NUM count them.",
            "answer": 73519,
            "tolerance": 0,
        },
    ]


def build_test_document(**test_overrides) -> dict:
    n = next(_counter)
    test = {
        "title": f"Search rating test {n}",
        "category": "search-evaluation",
        "instructions": "Rate each result.",
        "pass_score": 80,
        "time_limit_minutes": 20,
        "max_attempts": 3,
        "retake_cooldown_hours": 24,
        "questions_per_attempt": 4,
        "shuffle_questions": True,
        "shuffle_options": True,
        "grant_validity_days": 90,
        "show_feedback": True,
    }
    test.update(test_overrides)
    return {
        "format": FORMAT,
        "qualification": {
            "name": f"Search rating {n}",
            "slug": f"search-rating-{n}",
            "category": "search-evaluation",
            "description": "Rates search results.",
        },
        "test": test,
        "questions": question_pool(),
    }


def make_qualification_test(*, company=None, questions=None, **test_overrides):
    document = build_test_document(**test_overrides)
    if questions is not None:
        document["questions"] = copy.deepcopy(questions)
    return qualification_test_import(data=document, company=company).test


def answers_for(attempt, *, correct=True) -> dict:
    """Answers to every drawn question: all right, or all wrong."""
    from jobs.qualification_models import QualificationQuestion

    answers = {}
    for question in QualificationQuestion.objects.filter(pk__in=attempt.question_ids):
        if question.is_choice:
            answers[question.pk] = [
                o["id"] for o in question.options if bool(o["correct"]) == correct
            ][: 1 if question.kind == "single_choice" else None]
        elif question.kind == "short_text":
            answers[question.pk] = question.accepted_answers[0] if correct else "nope"
        else:
            answers[question.pk] = str(question.numeric_answer) if correct else "1"
    return answers
