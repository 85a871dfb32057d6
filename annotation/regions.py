"""Regions: draw labelled boxes on an image (object detection).

Boxes are fractions of the image's width and height (x, y is the top-left corner), so they
hold whatever size the image is shown at.
"""

from collections import Counter

from .base import InputField, Interface
from .similarity import box_iou, matched_f1
from .validation import TIMES, answer_checker, clean_item_fields, clean_labels_config, join

MAX_LABELS = 30
MAX_BOXES = 200
# Rounding slack: a box drawn to the very edge may end at 1.0000001 after float arithmetic.
EDGE = 1e-6
MIN_SIDE = 1e-4


class Regions(Interface):
    name = "regions"
    label = "Image regions (boxes)"
    description = "Draw boxes around the objects in an image and label each one."
    input_fields = (InputField("image_url", "image", "Image URL"),)
    widget_template = "annotation/widgets/regions.html"
    widget_script = "annotation/regions.js"
    default_tolerance = 0.5
    tolerance_help = (
        "Minimum intersection over union (0..1) for a box to match a gold box of the same "
        "label (default 0.5). The score is the F1 of matched boxes."
    )

    def clean_config(self, config) -> dict:
        return clean_labels_config(config, max_labels=MAX_LABELS)

    def clean_item(self, data, config) -> dict:
        return clean_item_fields(self, data)

    def clean_answer(self, answer, config, item_data) -> dict:
        check = answer_checker
        check.limits(answer)
        check.obj(answer, allowed=("boxes",), required=("boxes",))
        items = check.array(answer["boxes"], "boxes", max_items=MAX_BOXES)
        boxes = []
        for index, raw in enumerate(items):
            path = join("boxes", index)
            check.obj(
                raw,
                path,
                allowed=("x", "y", "w", "h", "label"),
                required=("x", "y", "w", "h", "label"),
            )
            box = {
                key: check.number(raw[key], f"{path}.{key}", minimum=0.0, maximum=1.0)
                for key in ("x", "y", "w", "h")
            }
            for side in ("w", "h"):
                if box[side] < MIN_SIDE:
                    check.fail("A box must have a width and a height.", f"{path}.{side}")
            if box["x"] + box["w"] > 1 + EDGE:
                check.fail("The box goes past the right edge of the image.", f"{path}.w")
            if box["y"] + box["h"] > 1 + EDGE:
                check.fail("The box goes past the bottom edge of the image.", f"{path}.h")
            box["w"] = min(box["w"], 1.0 - box["x"])
            box["h"] = min(box["h"], 1.0 - box["y"])
            box = {key: round(value, 6) for key, value in box.items()}
            box["label"] = check.choice(raw["label"], f"{path}.label", config["labels"])
            boxes.append(box)
        return {"boxes": boxes}

    def grade(self, answer, gold, config, tolerance=None) -> float:
        threshold = self.default_tolerance if tolerance is None else tolerance
        return matched_f1(answer.get("boxes", []), gold.get("boxes", []), box_iou, threshold)

    def agreement(self, a, b, config) -> float:
        # Averaging both directions keeps it exactly symmetric whatever ties the matching meets.
        return (self.grade(a, b, config) + self.grade(b, a, config)) / 2

    def example_config(self) -> dict:
        return {"labels": ["car", "person", "bicycle", "traffic light"]}

    def describe_answer(self, answer, config) -> str:
        boxes = answer.get("boxes") or []
        if not boxes:
            return "No boxes"
        counts = Counter(box.get("label", "?") for box in boxes)
        names = ", ".join(label for label, count in counts.most_common() for _ in range(count))
        if len(names) > 80:
            names = ", ".join(f"{label} {TIMES}{count}" for label, count in counts.most_common())
        return f"Box {TIMES}{len(boxes)}: {names}"

    def widget_context(self, config, item, initial) -> dict:
        labels = config.get("labels") or []
        return {
            "label_buttons": [
                {"label": label, "key": index + 1 if index < 9 else None, "colour": index % 10}
                for index, label in enumerate(labels)
            ]
        }
