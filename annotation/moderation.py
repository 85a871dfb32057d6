"""Moderation: decide which policies a text or image breaks, how badly, and whether to escalate."""

from .base import InputField, Interface
from .similarity import jaccard
from .validation import answer_checker, clean_item_fields, config_checker, item_checker, join

MAX_POLICIES = 30
MAX_SEVERITIES = 10
MAX_NOTE = 2000
# Weights of the three parts of a moderation decision in grade and agreement.
LABELS_WEIGHT, SEVERITY_WEIGHT, ESCALATE_WEIGHT = 0.6, 0.25, 0.15


class Moderation(Interface):
    name = "moderation"
    label = "Content moderation"
    description = (
        "Check a text or an image against content policies: which policies it breaks, "
        "how severely, and whether it must be escalated."
    )
    input_fields = (
        InputField("text", "text", "Text", required=False),
        InputField("image_url", "image", "Image URL", required=False),
        InputField("context", "text", "Context", required=False, max_length=2000),
    )
    widget_template = "annotation/widgets/moderation.html"
    widget_script = "annotation/moderation.js"
    default_tolerance = None
    tolerance_help = (
        "Not used. Score = 0.6 * Jaccard overlap of the policy labels (both empty = 1) "
        "+ 0.25 * same severity + 0.15 * same escalation."
    )

    def clean_config(self, config) -> dict:
        check = config_checker
        check.limits(config)
        check.obj(config, allowed=("policies", "severities"), required=("policies",))
        policies = check.labels(config["policies"], "policies", min_items=1, max_items=MAX_POLICIES)
        severities = check.labels(
            config.get("severities", []), "severities", min_items=0, max_items=MAX_SEVERITIES
        )
        return {"policies": policies, "severities": severities}

    def clean_item(self, data, config) -> dict:
        cleaned = clean_item_fields(self, data)
        if "text" not in cleaned and "image_url" not in cleaned:
            item_checker.fail("Give a text, an image URL, or both.", "text")
        return cleaned

    def clean_answer(self, answer, config, item_data) -> dict:
        check = answer_checker
        check.limits(answer)
        check.obj(answer, allowed=("labels", "severity", "escalate", "note"), required=("labels",))
        policies = config["policies"]
        items = check.array(answer["labels"], "labels", max_items=len(policies))
        chosen = set()
        for index, value in enumerate(items):
            label = check.choice(value, join("labels", index), policies)
            if label in chosen:
                check.fail(f"“{label}” is chosen twice.", join("labels", index))
            chosen.add(label)
        severity = answer.get("severity", "")
        severities = config.get("severities") or []
        if not isinstance(severity, str):
            check.fail("This must be text.", "severity")
        if not chosen and severity:
            check.fail("Leave the severity empty when nothing is violated.", "severity")
        if chosen and severities and not severity:
            check.fail("Choose how severe the violation is.", "severity")
        if severity:
            check.choice(severity, "severity", severities)
        escalate = check.boolean(answer.get("escalate", False), "escalate")
        note = check.string(answer.get("note", ""), "note", max_length=MAX_NOTE)
        return {
            "labels": [policy for policy in policies if policy in chosen],
            "severity": severity,
            "escalate": escalate,
            "note": note,
        }

    def grade(self, answer, gold, config, tolerance=None) -> float:
        score = LABELS_WEIGHT * jaccard(answer.get("labels", []), gold.get("labels", []))
        if answer.get("severity", "") == gold.get("severity", ""):
            score += SEVERITY_WEIGHT
        if bool(answer.get("escalate")) == bool(gold.get("escalate")):
            score += ESCALATE_WEIGHT
        return round(score, 6)

    def agreement(self, a, b, config) -> float:
        return self.grade(a, b, config)

    def example_config(self) -> dict:
        return {
            "policies": ["Hate speech", "Harassment", "Violence", "Sexual content", "Spam"],
            "severities": ["Low", "Medium", "High"],
        }

    def describe_answer(self, answer, config) -> str:
        labels = answer.get("labels") or []
        text = ", ".join(labels) if labels else "No violation"
        if answer.get("severity"):
            text += f" ({answer['severity']})"
        if answer.get("escalate"):
            text += " — escalated"
        return text

    def widget_context(self, config, item, initial) -> dict:
        labels = initial.get("labels")
        note = initial.get("note")
        return {
            "chosen": [x for x in labels if isinstance(x, str)] if isinstance(labels, list) else [],
            "severity": initial.get("severity") if isinstance(initial.get("severity"), str) else "",
            "escalate": initial.get("escalate") is True,
            "note": note if isinstance(note, str) else "",
            "policy_keys": [
                {"label": p, "key": i + 1 if i < 9 else None}
                for i, p in enumerate(config.get("policies") or [])
            ],
        }

    def answer_from_fields(self, config, fields) -> dict:
        return {
            "labels": fields.getlist("labels"),
            "severity": fields.get("severity") or "",
            "escalate": fields.get("escalate") == "on",
            "note": fields.get("note") or "",
        }
