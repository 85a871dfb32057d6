"""Comparison: read a prompt and two responses, say which is better (or a tie) and why."""

from .base import InputField, Interface
from .validation import answer_checker, clean_item_fields, config_checker

MAX_REASON = 2000
CHOICE_NAMES = {"a": "A", "b": "B", "tie": "Tie"}


class Comparison(Interface):
    name = "comparison"
    label = "Side-by-side comparison"
    description = (
        "Compare two responses to the same prompt (for example two chatbot answers) and "
        "choose the better one, or a tie, with a reason."
    )
    input_fields = (
        InputField("prompt", "text", "Prompt"),
        InputField("response_a", "text", "Response A"),
        InputField("response_b", "text", "Response B"),
    )
    widget_template = "annotation/widgets/comparison.html"
    widget_script = "annotation/comparison.js"
    default_tolerance = None
    tolerance_help = (
        "Not used: the same choice as the gold answer scores 1, a tie against a preference "
        "(or a preference against a tie) 0.5, the opposite response 0."
    )

    def clean_config(self, config) -> dict:
        check = config_checker
        check.limits(config)
        check.obj(config, allowed=("question", "allow_tie", "require_reason"))
        return {
            "question": check.string(config.get("question", ""), "question", max_length=300),
            "allow_tie": check.boolean(config.get("allow_tie", True), "allow_tie"),
            "require_reason": check.boolean(config.get("require_reason", False), "require_reason"),
        }

    def clean_item(self, data, config) -> dict:
        return clean_item_fields(self, data)

    def clean_answer(self, answer, config, item_data) -> dict:
        check = answer_checker
        check.limits(answer)
        check.obj(answer, allowed=("choice", "reason"), required=("choice",))
        options = ("a", "b", "tie") if config.get("allow_tie", True) else ("a", "b")
        choice = check.choice(answer["choice"], "choice", options)
        reason = check.string(answer.get("reason", ""), "reason", max_length=MAX_REASON)
        if config.get("require_reason") and not reason:
            check.fail("Say briefly why you chose this.", "reason")
        return {"choice": choice, "reason": reason}

    def grade(self, answer, gold, config, tolerance=None) -> float:
        mine, expected = answer.get("choice"), gold.get("choice")
        if mine == expected:
            return 1.0
        if "tie" in (mine, expected):
            return 0.5
        return 0.0

    def agreement(self, a, b, config) -> float:
        return self.grade(a, b, config)

    def example_config(self) -> dict:
        return {
            "question": "Which response answers the prompt better?",
            "allow_tie": True,
            "require_reason": True,
        }

    def describe_answer(self, answer, config) -> str:
        choice = CHOICE_NAMES.get(answer.get("choice"), "—")
        reason = " ".join((answer.get("reason") or "").split())
        if len(reason) > 60:
            reason = reason[:59] + "…"
        return f"{choice} — {reason}" if reason else choice

    def widget_context(self, config, item, initial) -> dict:
        options = [("a", "A is better", "A"), ("b", "B is better", "B")]
        if config.get("allow_tie", True):
            options.append(("tie", "Tie", "T"))
        reason = initial.get("reason")
        return {
            "options": [{"value": v, "label": label, "key": key} for v, label, key in options],
            "chosen": initial.get("choice"),
            "reason": reason if isinstance(reason, str) else "",
        }

    def answer_from_fields(self, config, fields) -> dict:
        answer = {}
        if fields.get("choice") is not None:
            answer["choice"] = fields.get("choice")
        if fields.get("reason"):
            answer["reason"] = fields.get("reason")
        return answer
