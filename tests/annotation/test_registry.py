import pytest

from annotation.base import InvalidInput
from annotation.registry import INTERFACES, get_interface, interface_choices


def test_all_eight_interfaces_in_display_order():
    assert list(INTERFACES) == [
        "classification",
        "rating",
        "comparison",
        "spans",
        "regions",
        "transcription",
        "moderation",
        "free_text",
    ]
    assert interface_choices()[0] == ("classification", "Classification")


@pytest.mark.parametrize("name", ["", "Classification", None, 3, ["classification"]])
def test_unknown_names_are_refused(name):
    with pytest.raises(InvalidInput) as caught:
        get_interface(name)
    assert caught.value.code == "unknown_interface"
    assert caught.value.field == "interface"


@pytest.mark.parametrize("name", list(INTERFACES))
def test_each_interface_is_complete(name):
    iface = get_interface(name)
    assert iface.name == name and iface.label and iface.description
    assert iface.widget_template and iface.widget_script and iface.tolerance_help
    assert iface.clean_config(iface.example_config()) == iface.clean_config(
        iface.clean_config(iface.example_config())
    )
