"""The interfaces by name, in the order companies see them offered."""

from .base import Interface, InvalidInput
from .classification import Classification
from .comparison import Comparison
from .free_text import FreeText
from .moderation import Moderation
from .rating import Rating
from .regions import Regions
from .spans import Spans
from .transcription import Transcription

INTERFACES: dict[str, Interface] = {
    interface.name: interface
    for interface in (
        Classification(),
        Rating(),
        Comparison(),
        Spans(),
        Regions(),
        Transcription(),
        Moderation(),
        FreeText(),
    )
}


def get_interface(name) -> Interface:
    """The interface called `name`; refuses an unknown name with code `unknown_interface`."""
    interface = INTERFACES.get(name) if isinstance(name, str) else None
    if interface is None:
        raise InvalidInput(
            "Unknown annotation interface.", field="interface", code="unknown_interface"
        )
    return interface


def interface_choices() -> list[tuple[str, str]]:
    """(name, label) pairs for a choice field."""
    return [(interface.name, interface.label) for interface in INTERFACES.values()]
