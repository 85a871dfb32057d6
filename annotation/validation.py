"""Checks shared by the interfaces: JSON shape and size, typed fields, plain text, media URLs.

Every check raises `InvalidInput` with the dotted path of the offending value ("spans.3.end"),
so a form can show the message beside the field and the API can name it. Nothing here raises
anything else for any JSON value: callers rely on that to refuse hostile input cleanly.
"""

import json
import math
import re
from urllib.parse import urlsplit

from .base import MAX_ANSWER_BYTES, MAX_DEPTH, MAX_TEXT, InvalidInput

# Control characters are never meaningful in labels or answers; tab and newline are kept.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u2028\u2029\ufeff]")
MAX_URL = 2000
MAX_LABEL = 100
MAX_NODES = 20_000
TIMES = "\N{MULTIPLICATION SIGN}"


def join(path: str, key) -> str:
    return f"{path}.{key}" if path else str(key)


def plain_text(value: str) -> str:
    """One newline convention and no control characters: offsets then mean the same everywhere."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


class Checker:
    """Reads typed values out of untrusted JSON, refusing with one error code and a field path.

    `root` names the whole value when the refusal concerns it rather than one field
    ("answer", "data", "config").
    """

    def __init__(self, code: str, root: str):
        self.code = code
        self.root = root

    def fail(self, message: str, path: str = ""):
        raise InvalidInput(message, field=path or self.root, code=self.code)

    def limits(self, value, *, max_depth: int = MAX_DEPTH, max_bytes: int = MAX_ANSWER_BYTES):
        """Refuse values nested too deep, too large, or holding anything JSON cannot say.

        Walks iteratively, so a value nested ten thousand levels deep is refused without
        touching the recursion limit, and stops counting early on huge values.
        """
        stack = [(value, 1, "")]
        nodes = 0
        while stack:
            current, depth, path = stack.pop()
            nodes += 1
            if nodes > MAX_NODES:
                self.fail("This is far too large.")
            if isinstance(current, dict | list | tuple):
                if depth > max_depth:
                    self.fail(f"This is nested deeper than {max_depth} levels.", path)
                if isinstance(current, dict):
                    for key, child in current.items():
                        if not isinstance(key, str):
                            self.fail("Object keys must be strings.", path)
                        stack.append((child, depth + 1, join(path, key)))
                else:
                    for index, child in enumerate(current):
                        stack.append((child, depth + 1, join(path, index)))
            elif isinstance(current, float):
                if not math.isfinite(current):
                    self.fail("Numbers must be finite.", path)
            elif current is not None and not isinstance(current, str | int | bool):
                self.fail("This is not a JSON value.", path)
        try:
            encoded = json.dumps(value, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError, RecursionError):
            self.fail("This is not a JSON value.")
        if len(encoded.encode("utf-8", "surrogatepass")) > max_bytes:
            self.fail(f"This is larger than {max_bytes // 1024} KB.")

    def obj(self, value, path: str = "", *, allowed, required=()) -> dict:
        if not isinstance(value, dict):
            self.fail("This must be a JSON object.", path)
        for key in value:
            if key not in allowed:
                shown = str(key)[:40]
                accepted = ", ".join(allowed)
                self.fail(f"Unknown field “{shown}” (accepted: {accepted}).", join(path, shown))
        for key in required:
            if key not in value:
                self.fail("This field is required.", join(path, key))
        return value

    def string(
        self,
        value,
        path: str,
        *,
        max_length: int = MAX_TEXT,
        min_length: int = 0,
        strip: bool = True,
    ) -> str:
        if not isinstance(value, str):
            self.fail("This must be text.", path)
        text = plain_text(value)
        if strip:
            text = text.strip()
        if len(text) > max_length:
            self.fail(f"This is longer than {max_length} characters.", path)
        if len(text) < min_length:
            if min_length == 1:
                self.fail("This may not be empty.", path)
            self.fail(f"This must be at least {min_length} characters long.", path)
        return text

    def integer(self, value, path: str, *, minimum: int | None = None, maximum: int | None = None):
        # bool is an int subclass in Python; true is not 1 here.
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail("This must be a whole number.", path)
        if minimum is not None and value < minimum:
            self.fail(f"This must be at least {minimum}.", path)
        if maximum is not None and value > maximum:
            self.fail(f"This must be at most {maximum}.", path)
        return value

    def number(self, value, path: str, *, minimum: float, maximum: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail("This must be a number.", path)
        number = float(value)
        if not math.isfinite(number):
            self.fail("This must be a finite number.", path)
        if number < minimum or number > maximum:
            self.fail(f"This must be between {minimum:g} and {maximum:g}.", path)
        return number

    def boolean(self, value, path: str) -> bool:
        if not isinstance(value, bool):
            self.fail("This must be true or false.", path)
        return value

    def array(self, value, path: str, *, max_items: int, min_items: int = 0) -> list:
        if not isinstance(value, list):
            self.fail("This must be a list.", path)
        if len(value) > max_items:
            self.fail(f"At most {max_items} are allowed.", path)
        if len(value) < min_items:
            if min_items == 1:
                self.fail("Choose at least one.", path)
            self.fail(f"At least {min_items} are required.", path)
        return value

    def choice(self, value, path: str, options) -> str:
        if not isinstance(value, str):
            self.fail("This must be text.", path)
        if value not in options:
            self.fail(f"“{value[:60]}” is not one of the choices.", path)
        return value

    def url(self, value, path: str) -> str:
        """An http(s) URL with a host, or a path to our own uploaded media; nothing else."""
        text = self.string(value, path, max_length=MAX_URL, min_length=1)
        if not is_media_url(text):
            self.fail("Use an https:// or http:// address, or a /media/ path.", path)
        return text

    def labels(self, value, path: str, *, min_items: int, max_items: int) -> list[str]:
        """A list of distinct, non-empty, short labels (case-insensitively distinct)."""
        items = self.array(value, path, max_items=max_items, min_items=min_items)
        seen = set()
        cleaned = []
        for index, item in enumerate(items):
            label = self.string(item, join(path, index), max_length=MAX_LABEL, min_length=1)
            if "\n" in label or "\t" in label:
                self.fail("A label must fit on one line.", join(path, index))
            key = label.casefold()
            if key in seen:
                self.fail(f"“{label}” appears twice.", join(path, index))
            seen.add(key)
            cleaned.append(label)
        return cleaned


def is_media_url(text) -> bool:
    """True for http(s) URLs with a host, and /media/ paths that stay inside /media/."""
    if not isinstance(text, str) or not text or len(text) > MAX_URL:
        return False
    if any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in text):
        return False
    if text.startswith("/media/"):
        return ".." not in text.split("?")[0] and not text.startswith("//")
    parts = urlsplit(text)
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


config_checker = Checker("invalid_config", "label_schema")
item_checker = Checker("invalid_item", "data")
answer_checker = Checker("invalid_answer", "answer")


def clean_labels_config(config, *, max_labels: int) -> dict:
    """A label schema that is only a list of labels (spans, regions)."""
    check = config_checker
    check.limits(config)
    check.obj(config, allowed=("labels",), required=("labels",))
    return {"labels": check.labels(config["labels"], "labels", min_items=1, max_items=max_labels)}


def clean_item_fields(interface, data) -> dict:
    """Check data against the interface's input fields: kinds, lengths, required ones.

    Empty optional fields are dropped (a CSV leaves empty cells); unknown fields are refused
    so nothing unexpected is ever shown to a worker.
    """
    check = item_checker
    check.limits(data, max_bytes=MAX_TEXT * 8)
    fields = {field.name: field for field in interface.input_fields}
    check.obj(data, allowed=tuple(fields))
    cleaned = {}
    for name, field in fields.items():
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if field.required:
                check.fail("This field is required.", name)
            continue
        if field.kind in {"url", "image", "audio"}:
            cleaned[name] = check.url(value, name)
        else:
            cleaned[name] = check.string(value, name, max_length=field.max_length)
    return cleaned
