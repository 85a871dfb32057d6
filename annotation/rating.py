"""Rating: score a search result for a query, or a social post, on a small numeric scale."""

from .base import InputField, Interface
from .validation import answer_checker, clean_item_fields, config_checker, item_checker

MAX_STEPS = 10
MAX_COMMENT = 2000
SEARCH_FIELDS = ("query", "title", "snippet", "url")
POST_FIELDS = ("text", "author", "image_url")


class Rating(Interface):
    name = "rating"
    label = "Rating scale"
    description = (
        "Rate a search result for its query (search relevance) or a social post on a scale "
        "such as 1 to 5, with an optional comment."
    )
    input_fields = (
        InputField("query", "query", "Search query", required=False, max_length=500),
        InputField("title", "text", "Result title", required=False, max_length=300),
        InputField("snippet", "text", "Result snippet", required=False, max_length=5000),
        InputField("url", "url", "Result URL", required=False),
        InputField("text", "text", "Post text", required=False),
        InputField("author", "text", "Post author", required=False, max_length=200),
        InputField("image_url", "image", "Post image URL", required=False),
    )
    widget_template = "annotation/widgets/rating.html"
    widget_script = "annotation/rating.js"
    default_tolerance = 0
    tolerance_help = (
        "How many scale steps from the gold rating still earn full credit (default 0). "
        "Beyond it the score falls linearly to 0 over the rest of the scale."
    )

    def clean_config(self, config) -> dict:
        check = config_checker
        check.limits(config)
        check.obj(
            config,
            allowed=("min", "max", "question", "scale_labels"),
            required=("min", "max"),
        )
        low = check.integer(config["min"], "min", minimum=-10, maximum=10)
        high = check.integer(config["max"], "max", minimum=-10, maximum=20)
        if high <= low:
            check.fail("The maximum must be greater than the minimum.", "max")
        if high - low > MAX_STEPS:
            check.fail(f"A scale may have at most {MAX_STEPS + 1} points.", "max")
        raw_labels = config.get("scale_labels", {})
        check.obj(raw_labels, "scale_labels", allowed=tuple(str(n) for n in range(low, high + 1)))
        scale_labels = {
            key: check.string(value, f"scale_labels.{key}", max_length=60)
            for key, value in raw_labels.items()
        }
        question = check.string(config.get("question", ""), "question", max_length=300)
        return {
            "min": low,
            "max": high,
            "question": question,
            "scale_labels": {k: v for k, v in sorted(scale_labels.items(), key=_num) if v},
        }

    def clean_item(self, data, config) -> dict:
        cleaned = clean_item_fields(self, data)
        search = [name for name in SEARCH_FIELDS if name in cleaned]
        post = [name for name in POST_FIELDS if name in cleaned]
        if search and post:
            item_checker.fail(
                "An item is either a search result (query, title, snippet, url) or a post "
                "(text, author, image_url), not both.",
                post[0],
            )
        if search and "query" not in cleaned:
            item_checker.fail("A search result needs its query.", "query")
        if not search and "text" not in cleaned and "image_url" not in cleaned:
            item_checker.fail("Give a query and result, or a post's text.", "text")
        return cleaned

    def clean_answer(self, answer, config, item_data) -> dict:
        check = answer_checker
        check.limits(answer)
        check.obj(answer, allowed=("rating", "comment"), required=("rating",))
        rating = check.integer(
            answer["rating"], "rating", minimum=config["min"], maximum=config["max"]
        )
        comment = check.string(answer.get("comment", ""), "comment", max_length=MAX_COMMENT)
        return {"rating": rating, "comment": comment}

    def grade(self, answer, gold, config, tolerance=None) -> float:
        tolerance = self.default_tolerance if tolerance is None else max(0, tolerance)
        distance = abs(answer["rating"] - gold["rating"])
        if distance <= tolerance:
            return 1.0
        span = config["max"] - config["min"]
        room = span - tolerance
        if room <= 0:
            return 0.0
        return max(0.0, 1.0 - (distance - tolerance) / room)

    def agreement(self, a, b, config) -> float:
        return 1.0 - abs(a["rating"] - b["rating"]) / (config["max"] - config["min"])

    def example_config(self) -> dict:
        return {
            "min": 1,
            "max": 5,
            "question": "How well does the result answer the query?",
            "scale_labels": {"1": "Irrelevant", "3": "Somewhat relevant", "5": "Perfect"},
        }

    def describe_answer(self, answer, config) -> str:
        rating = answer.get("rating")
        label = config.get("scale_labels", {}).get(str(rating))
        text = f"{rating} — {label}" if label else str(rating)
        comment = answer.get("comment")
        return f"{text} ({_short(comment)})" if comment else text

    def widget_context(self, config, item, initial) -> dict:
        low, high = config.get("min", 1), config.get("max", 5)
        labels = config.get("scale_labels", {})
        # On scales of non-negative numbers the digit is the value itself (press 3 for 3, and 0
        # for 10 on a 1..10 scale); on other scales it is the point's position (1 for the first).
        digits_are_values = low >= 0
        points = []
        for index, value in enumerate(range(low, high + 1)):
            key = value if digits_are_values else index + 1
            if key == 10 and low >= 1:
                key = 0
            points.append(
                {
                    "value": value,
                    "caption": labels.get(str(value), ""),
                    "key": key if key <= 9 else None,
                }
            )
        keyed = [point for point in points if point["key"] is not None]
        return {
            "points": points,
            "first_key": keyed[0]["key"] if keyed else None,
            "last_key": max(point["key"] for point in keyed) if keyed else None,
            "digits_are_values": digits_are_values,
            "has_captions": any(point["caption"] for point in points),
            "ten_is_zero": any(p["key"] == 0 and p["value"] == 10 for p in points),
            "chosen": initial.get("rating"),
            "comment": initial.get("comment") if isinstance(initial.get("comment"), str) else "",
        }

    def answer_from_fields(self, config, fields) -> dict:
        answer = {}
        rating = fields.get("rating")
        if rating is not None:
            try:
                answer["rating"] = int(rating)
            except ValueError:
                answer["rating"] = rating
        comment = fields.get("comment")
        if comment:
            answer["comment"] = comment
        return answer


def _num(pair):
    return int(pair[0])


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
