"""What every annotation interface provides: the contract between interfaces and their users.

An interface is one module in this package (classification.py, regions.py…) that defines a
subclass of `Interface` and registers it in registry.py. Marketplace projects and the
sample-task questions of qualification tests use interfaces only through these methods:

- `clean_config(config)` checks a project's label schema and returns it normalised;
- `clean_item(data, config)` checks and sanitises one item's data (an upload row);
- `clean_answer(answer, config, item_data)` checks a worker's answer and returns it
  normalised; it refuses HTML smuggling, deep nesting and huge payloads like any bad input;
- `grade(answer, gold, config, tolerance)` scores an answer against a gold answer, 0..1;
- `agreement(a, b, config)` says how far two answers agree, 0..1 (quality control);
- `describe_answer(answer, config)` renders an answer in a few words for tables;
- `widget_template` renders the task for a worker; its script is `widget_script`
  (rendered by the `annotation_widget` tag in templatetags/annotation_tags.py);
- `answer_from_fields(config, fields)` reads the widget's native inputs when its script did
  not run (see forms.answer_from_post).

Every refusal is an `InvalidInput` (a LoopworkError) naming the field it concerns, so forms
show it beside the field and the API answers 422 with that field.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass

from core.errors import LoopworkError

MAX_TEXT = 20_000
MAX_ANSWER_BYTES = 64 * 1024
MAX_DEPTH = 4


class InvalidInput(LoopworkError):
    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid_answer"):
        super().__init__(message, code=code, field=field, status=422)


@dataclass(frozen=True)
class InputField:
    """One field of an item: its name in the data, what kind of content it holds."""

    name: str
    kind: str  # text | html | url | image | audio | query
    label: str
    required: bool = True
    max_length: int = MAX_TEXT
    help_text: str = ""


class Interface(ABC):
    name: str = ""
    label: str = ""
    description: str = ""
    # Item fields; for interfaces that accept one of several (text or image), `required` is
    # False on each and clean_item checks that at least one is present.
    input_fields: tuple[InputField, ...] = ()
    widget_template: str = ""
    widget_script: str = ""
    # Tolerance used by `grade` when the caller gives none; its meaning is the interface's.
    default_tolerance: float | None = None
    tolerance_help: str = ""

    @abstractmethod
    def clean_config(self, config: dict) -> dict:
        """The project's label schema checked and normalised; InvalidInput otherwise."""

    @abstractmethod
    def clean_item(self, data: dict, config: dict) -> dict:
        """One item's data checked against the input fields; InvalidInput otherwise."""

    @abstractmethod
    def clean_answer(self, answer, config: dict, item_data: dict) -> dict:
        """A worker's answer checked strictly and normalised; InvalidInput naming the field."""

    @abstractmethod
    def grade(
        self, answer: dict, gold: dict, config: dict, tolerance: float | None = None
    ) -> float:
        """How well `answer` matches `gold`, 0..1, with the tolerance (None: the default)."""

    @abstractmethod
    def agreement(self, a: dict, b: dict, config: dict) -> float:
        """How far two answers agree, 0..1; symmetric."""

    @abstractmethod
    def example_config(self) -> dict:
        """A label schema that passes clean_config, offered when a company picks the interface."""

    @abstractmethod
    def describe_answer(self, answer: dict, config: dict) -> str:
        """A short human-readable rendering of an answer for tables and exports."""

    def widget_context(self, config: dict, item: dict, initial: dict) -> dict:
        """Extra template context the widget needs (choices marked from `initial`...)."""
        return {}

    def answer_from_fields(self, config: dict, fields) -> dict:
        """The answer the widget's native inputs say when its script did not run.

        `fields` reads the posted inputs named after the widget's field (`fields.get("label")`
        reads `<field_name>__label`, `fields.getlist(...)` every value). Interfaces that need
        the script to be answered at all (drawing boxes, selecting spans) return {}, which
        clean_answer then refuses with a field-level message.
        """
        return {}
