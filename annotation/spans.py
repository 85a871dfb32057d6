"""Spans: mark labelled stretches of a text (named entities, clauses, toxic phrases...).

Offsets count Unicode code points of the item's text (Python string indices), end exclusive;
the widget converts the browser's UTF-16 positions so an emoji counts as one character.
"""

from itertools import pairwise

from .base import MAX_TEXT, InputField, Interface
from .similarity import matched_f1, span_iou
from .validation import (
    TIMES,
    answer_checker,
    clean_item_fields,
    clean_labels_config,
    item_checker,
    join,
    plain_text,
)

MAX_LABELS = 30
MAX_SPANS = 200


class Spans(Interface):
    name = "spans"
    label = "Text spans"
    description = "Select stretches of a text and give each a label (entities, clauses, phrases)."
    input_fields = (InputField("text", "text", "Text"),)
    widget_template = "annotation/widgets/spans.html"
    widget_script = "annotation/spans.js"
    default_tolerance = 0.5
    tolerance_help = (
        "Minimum character overlap (intersection over union, 0..1) for a span to match a gold "
        "span of the same label (default 0.5). The score is the F1 of matched spans."
    )

    def clean_config(self, config) -> dict:
        return clean_labels_config(config, max_labels=MAX_LABELS)

    def clean_item(self, data, config) -> dict:
        cleaned = clean_item_fields(self, data)
        # Gold offsets count from the very first character: keep leading and trailing spaces
        # (only newlines are unified and control characters dropped, as the browser shows it).
        cleaned["text"] = plain_text(data["text"])
        if len(cleaned["text"]) > MAX_TEXT:
            item_checker.fail(f"This is longer than {MAX_TEXT} characters.", "text")
        return cleaned

    def clean_answer(self, answer, config, item_data) -> dict:
        check = answer_checker
        check.limits(answer)
        check.obj(answer, allowed=("spans",), required=("spans",))
        text = item_data.get("text") if isinstance(item_data, dict) else None
        length = len(text) if isinstance(text, str) else 0
        items = check.array(answer["spans"], "spans", max_items=MAX_SPANS)
        spans = []
        for index, raw in enumerate(items):
            path = join("spans", index)
            check.obj(
                raw, path, allowed=("start", "end", "label"), required=("start", "end", "label")
            )
            start = check.integer(raw["start"], f"{path}.start", minimum=0, maximum=length)
            end = check.integer(raw["end"], f"{path}.end", minimum=0, maximum=length)
            if end <= start:
                check.fail("A span must end after it starts.", f"{path}.end")
            label = check.choice(raw["label"], f"{path}.label", config["labels"])
            spans.append({"start": start, "end": end, "label": label, "_index": index})
        spans.sort(key=lambda span: (span["start"], span["end"]))
        for previous, current in pairwise(spans):
            if current["start"] < previous["end"]:
                check.fail("Spans may not overlap.", f"spans.{current['_index']}.start")
        return {"spans": [{k: span[k] for k in ("start", "end", "label")} for span in spans]}

    def grade(self, answer, gold, config, tolerance=None) -> float:
        threshold = self.default_tolerance if tolerance is None else tolerance
        return matched_f1(answer.get("spans", []), gold.get("spans", []), span_iou, threshold)

    def agreement(self, a, b, config) -> float:
        # Averaging both directions keeps it exactly symmetric whatever ties the matching meets.
        return (self.grade(a, b, config) + self.grade(b, a, config)) / 2

    def example_config(self) -> dict:
        return {"labels": ["Person", "Organisation", "Place", "Date"]}

    def describe_answer(self, answer, config) -> str:
        spans = answer.get("spans") or []
        if not spans:
            return "No spans"
        names = ", ".join(span.get("label", "?") for span in spans[:8])
        more = "…" if len(spans) > 8 else ""
        return f"Spans {TIMES}{len(spans)}: {names}{more}"

    def widget_context(self, config, item, initial) -> dict:
        labels = config.get("labels") or []
        return {
            "label_buttons": [
                {"label": label, "key": index + 1 if index < 9 else None, "colour": index % 10}
                for index, label in enumerate(labels)
            ]
        }
