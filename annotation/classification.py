"""Classification: choose the label (or labels) that fit a text and/or an image."""

from .base import InputField, Interface
from .similarity import jaccard
from .validation import answer_checker, clean_item_fields, config_checker, item_checker

MAX_LABELS = 50


class Classification(Interface):
    name = "classification"
    label = "Classification"
    description = "Choose one label (or several) for a text, an image, or both."
    input_fields = (
        InputField("title", "text", "Title", required=False, max_length=300),
        InputField("text", "text", "Text", required=False),
        InputField("image_url", "image", "Image URL", required=False),
    )
    widget_template = "annotation/widgets/classification.html"
    widget_script = "annotation/classification.js"
    default_tolerance = None
    tolerance_help = (
        "Not used: a single label scores 1 when it matches the gold label, else 0; "
        "several labels score their Jaccard overlap with the gold labels."
    )

    def clean_config(self, config) -> dict:
        check = config_checker
        check.limits(config)
        check.obj(config, allowed=("labels", "multiple", "question"), required=("labels",))
        return {
            "labels": check.labels(config["labels"], "labels", min_items=2, max_items=MAX_LABELS),
            "multiple": check.boolean(config.get("multiple", False), "multiple"),
            "question": check.string(config.get("question", ""), "question", max_length=300),
        }

    def clean_item(self, data, config) -> dict:
        cleaned = clean_item_fields(self, data)
        if "text" not in cleaned and "image_url" not in cleaned:
            item_checker.fail("Give a text, an image URL, or both.", "text")
        return cleaned

    def clean_answer(self, answer, config, item_data) -> dict:
        check = answer_checker
        check.limits(answer)
        labels = config["labels"]
        if config.get("multiple"):
            check.obj(answer, allowed=("labels",), required=("labels",))
            chosen = check.array(answer["labels"], "labels", min_items=1, max_items=len(labels))
            picked = set()
            for index, value in enumerate(chosen):
                label = check.choice(value, f"labels.{index}", labels)
                if label in picked:
                    check.fail(f"“{label}” is chosen twice.", f"labels.{index}")
                picked.add(label)
            return {"labels": [label for label in labels if label in picked]}
        check.obj(answer, allowed=("label",), required=("label",))
        return {"label": check.choice(answer["label"], "label", labels)}

    def grade(self, answer, gold, config, tolerance=None) -> float:
        if config.get("multiple"):
            return jaccard(answer.get("labels", []), gold.get("labels", []))
        return 1.0 if answer.get("label") == gold.get("label") else 0.0

    def agreement(self, a, b, config) -> float:
        return self.grade(a, b, config)

    def example_config(self) -> dict:
        return {
            "labels": ["positive", "neutral", "negative"],
            "multiple": False,
            "question": "What is the sentiment of this text?",
        }

    def describe_answer(self, answer, config) -> str:
        if "labels" in answer:
            return ", ".join(answer["labels"]) or "—"
        return answer.get("label", "—")

    def widget_context(self, config, item, initial) -> dict:
        chosen = initial.get("labels") if config.get("multiple") else [initial.get("label")]
        return {"chosen": [label for label in chosen or [] if isinstance(label, str)]}

    def answer_from_fields(self, config, fields) -> dict:
        if config.get("multiple"):
            return {"labels": fields.getlist("labels")}
        value = fields.get("label")
        return {} if value is None else {"label": value}
