"""Free text: answer a prompt in your own words (rewrites, summaries, support replies...)."""

from .base import InputField, Interface
from .similarity import token_f1
from .validation import answer_checker, clean_item_fields, config_checker

MAX_LENGTH = 10_000


class FreeText(Interface):
    name = "free_text"
    label = "Free text"
    description = "Write a short text in answer to a prompt, optionally about a given text."
    input_fields = (
        InputField("prompt", "text", "Prompt", max_length=2000),
        InputField("text", "text", "Text", required=False),
    )
    widget_template = "annotation/widgets/free_text.html"
    widget_script = "annotation/free_text.js"
    default_tolerance = 0.8
    tolerance_help = (
        "Word-overlap F1 (0..1, ignoring case and punctuation) at or above which an answer "
        "earns full credit (default 0.8); below it the score is the F1 itself."
    )

    def clean_config(self, config) -> dict:
        check = config_checker
        check.limits(config)
        check.obj(config, allowed=("min_length", "max_length", "placeholder"))
        low = check.integer(
            config.get("min_length", 1), "min_length", minimum=0, maximum=MAX_LENGTH
        )
        high = check.integer(
            config.get("max_length", 2000), "max_length", minimum=1, maximum=MAX_LENGTH
        )
        if high < low:
            check.fail("The maximum length must be at least the minimum length.", "max_length")
        placeholder = check.string(config.get("placeholder", ""), "placeholder", max_length=200)
        return {"min_length": low, "max_length": high, "placeholder": placeholder}

    def clean_item(self, data, config) -> dict:
        return clean_item_fields(self, data)

    def clean_answer(self, answer, config, item_data) -> dict:
        check = answer_checker
        check.limits(answer)
        check.obj(answer, allowed=("text",), required=("text",))
        low = max(1, config.get("min_length", 1))
        text = check.string(answer["text"], "text", max_length=config.get("max_length", 2000))
        if len(text) < low:
            if low == 1:
                check.fail("This may not be empty.", "text")
            check.fail(f"Write at least {low} characters.", "text")
        return {"text": text}

    def grade(self, answer, gold, config, tolerance=None) -> float:
        tolerance = self.default_tolerance if tolerance is None else tolerance
        score = token_f1(answer.get("text", ""), gold.get("text", ""))
        return 1.0 if score >= tolerance - 1e-9 else score

    def agreement(self, a, b, config) -> float:
        return token_f1(a.get("text", ""), b.get("text", ""))

    def example_config(self) -> dict:
        return {"min_length": 20, "max_length": 1000, "placeholder": ""}

    def describe_answer(self, answer, config) -> str:
        text = " ".join((answer.get("text") or "").split())
        return text if len(text) <= 80 else text[:79] + "…"

    def widget_context(self, config, item, initial) -> dict:
        text = initial.get("text")
        return {"text": text if isinstance(text, str) else ""}

    def answer_from_fields(self, config, fields) -> dict:
        text = fields.get("text")
        return {} if text is None else {"text": text}
