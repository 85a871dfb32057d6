"""Template tags of qualification tests: the call to action for a worker and a test."""

from django import template

from jobs.qualification_selectors import worker_test_standing

register = template.Library()


@register.simple_tag
def qualification_cta(test, worker) -> dict:
    """What a worker can do about `test` now, for jobs/qualification/includes/test_link.html.

    state: "take" | "continue" | "cooldown" | "passed" | "blocked" | "" (no worker: nothing),
    with score, attempt_id, retake_at_text or message as the state needs. Never the answer key.
    """
    if test is None or worker is None or not getattr(worker, "is_authenticated", False):
        return {"state": "take" if test is not None else ""}
    if not worker.is_worker:
        return {"state": ""}
    standing = worker_test_standing(worker=worker, test=test)
    if standing.open_attempt is not None:
        return {"state": "continue", "attempt_id": standing.open_attempt.pk}
    if standing.valid_grant is not None:
        return {"state": "passed", "score": standing.valid_grant.score}
    if standing.refusal_code == "cooldown":
        return {"state": "cooldown", "retake_at_text": standing.retake_at_text}
    if standing.refusal:
        return {"state": "blocked", "message": standing.refusal}
    return {"state": "take"}
