"""Reading a widget's answer out of a posted form, with or without the widget's script."""

import json

from .base import MAX_ANSWER_BYTES, Interface, InvalidInput


class NativeFields:
    """The widget's own native inputs in a POST, named `<field_name>__<name>`."""

    def __init__(self, post_data, field_name: str):
        self.post_data = post_data
        self.field_name = field_name

    def get(self, name: str):
        return self.post_data.get(f"{self.field_name}__{name}")

    def getlist(self, name: str) -> list:
        key = f"{self.field_name}__{name}"
        if hasattr(self.post_data, "getlist"):
            return self.post_data.getlist(key)
        value = self.post_data.get(key)
        return [] if value is None else [value]


def answer_from_post(interface: Interface, config: dict, post_data, field_name: str = "answer"):
    """The raw answer a form posted, to be passed on to `interface.clean_answer`.

    The widget's script keeps the answer as JSON in the hidden input `field_name`; when it is
    empty (the script did not run) the widget's native inputs are read instead. Refuses
    unreadable JSON with InvalidInput(code="invalid_answer", field=field_name).
    """
    raw = post_data.get(field_name) or ""
    if isinstance(raw, str) and raw.strip():
        if len(raw) > MAX_ANSWER_BYTES * 2:
            raise InvalidInput("The answer is too large.", field=field_name)
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            raise InvalidInput("The answer could not be read.", field=field_name) from None
    return interface.answer_from_fields(config, NativeFields(post_data, field_name))
