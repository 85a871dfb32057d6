"""Transcription: listen to an audio clip and write down what is said."""

from .base import InputField, Interface
from .similarity import edit_similarity
from .validation import answer_checker, clean_item_fields, config_checker

MAX_TRANSCRIPT = 10_000


class Transcription(Interface):
    name = "transcription"
    label = "Audio transcription"
    description = "Listen to an audio clip and type exactly what is said."
    input_fields = (
        InputField("audio_url", "audio", "Audio URL"),
        InputField("context", "text", "Context", required=False, max_length=2000),
    )
    widget_template = "annotation/widgets/transcription.html"
    widget_script = "annotation/transcription.js"
    default_tolerance = 0.1
    tolerance_help = (
        "Largest normalised edit distance (0..1) that still earns full credit (default 0.1). "
        "Texts are compared ignoring case, punctuation and spacing; the score is 1 minus the "
        "edit distance divided by the longer text's length."
    )

    def clean_config(self, config) -> dict:
        check = config_checker
        check.limits(config)
        check.obj(config, allowed=("language", "instructions"), required=("language",))
        return {
            "language": check.string(config["language"], "language", max_length=50, min_length=1),
            "instructions": check.string(
                config.get("instructions", ""), "instructions", max_length=1000
            ),
        }

    def clean_item(self, data, config) -> dict:
        return clean_item_fields(self, data)

    def clean_answer(self, answer, config, item_data) -> dict:
        check = answer_checker
        check.limits(answer)
        check.obj(answer, allowed=("text",), required=("text",))
        text = check.string(answer["text"], "text", max_length=MAX_TRANSCRIPT, min_length=1)
        return {"text": text}

    def grade(self, answer, gold, config, tolerance=None) -> float:
        tolerance = self.default_tolerance if tolerance is None else tolerance
        similarity = edit_similarity(answer.get("text", ""), gold.get("text", ""))
        if 1.0 - similarity <= tolerance + 1e-9:
            return 1.0
        return similarity

    def agreement(self, a, b, config) -> float:
        return edit_similarity(a.get("text", ""), b.get("text", ""))

    def example_config(self) -> dict:
        return {
            "language": "English",
            "instructions": "Write [inaudible] for words you cannot make out.",
        }

    def describe_answer(self, answer, config) -> str:
        text = " ".join((answer.get("text") or "").split())
        return text if len(text) <= 80 else text[:79] + "…"

    def widget_context(self, config, item, initial) -> dict:
        text = initial.get("text")
        return {
            "text": text if isinstance(text, str) else "",
            "speeds": ["0.5", "0.75", "1", "1.25", "1.5", "2"],
        }

    def answer_from_fields(self, config, fields) -> dict:
        text = fields.get("text")
        return {} if text is None else {"text": text}
