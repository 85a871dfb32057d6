"""The form of the company's webhooks page; the webhooks service decides what is allowed."""

from django import forms

from core.errors import LoopworkError

from .models import WebhookEndpoint


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label="Endpoint URL",
        max_length=500,
        assume_scheme="https",
        help_text="Where we POST the events, e.g. https://example.com/loopwork/webhook.",
    )
    events = forms.MultipleChoiceField(
        choices=WebhookEndpoint.Event.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=WebhookEndpoint.Event.values,
        help_text="The events this endpoint receives.",
    )

    def add_service_error(self, error: LoopworkError) -> None:
        self.add_error(error.field if error.field in self.fields else None, error.message)
