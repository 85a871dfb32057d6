"""Shared helpers for the annotation tests: asserting refusals with their code and field."""

import pytest

from annotation.base import InvalidInput


def refused(call, *args, field=None, code="invalid_answer"):
    """Assert `call(*args)` refuses with InvalidInput of `code` naming `field`; return it."""
    with pytest.raises(InvalidInput) as caught:
        call(*args)
    assert caught.value.code == code
    assert caught.value.status == 422
    if field is not None:
        assert caught.value.field == field
    return caught.value
