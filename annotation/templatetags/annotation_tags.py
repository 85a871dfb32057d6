"""`{% annotation_widget %}`: renders an interface's widget inside the host page's form."""

import json
import re

from django import template
from django.template.loader import render_to_string

from annotation.registry import get_interface
from annotation.validation import is_media_url

register = template.Library()

RISKS = {"none", "mild", "graphic"}


@register.simple_tag
def annotation_widget(
    interface_name, config, item_data, field_name="answer", risk="none", initial=None
):
    """The widget for one item; keeps the answer as JSON in `<input name=field_name>`.

    Only what the worker may see reaches the page: the label schema and the item's data
    (never a gold answer). Item text is escaped; media URLs that are not http(s) or /media/
    are dropped even if stored data held one. `initial` (a dict, or its JSON) is restored.
    """
    interface = get_interface(interface_name)
    config = config if isinstance(config, dict) else {}
    item = item_data if isinstance(item_data, dict) else {}
    if isinstance(initial, str):
        try:
            initial = json.loads(initial)
        except (ValueError, RecursionError):
            initial = None
    initial = initial if isinstance(initial, dict) else {}
    field_name = str(field_name)
    context = {
        "interface": interface,
        "config": config,
        "item": item,
        "media": {
            field.name: item[field.name]
            for field in interface.input_fields
            if field.kind in {"url", "image", "audio"} and is_media_url(item.get(field.name))
        },
        "field_name": field_name,
        "prefix": "annot-" + re.sub(r"[^A-Za-z0-9_-]", "-", field_name),
        "risk": risk if risk in RISKS else "mild",
        "initial": initial,
        "initial_json": json.dumps(initial) if initial else "",
        "config_json": json.dumps(config),
        "script": interface.widget_script,
    }
    context.update(interface.widget_context(config, item, initial))
    return render_to_string(interface.widget_template, context)
