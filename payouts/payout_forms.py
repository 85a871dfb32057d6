"""The worker's payout request form: an amount in the platform currency, and a key that makes
a double-submitted form one request."""

import uuid

from django import forms
from django.conf import settings

from core.money import format_money, platform_currency, to_minor_units


class PayoutRequestForm(forms.Form):
    amount = forms.DecimalField(
        label="Amount",
        min_value=0,
        decimal_places=2,
        max_digits=12,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    # Rendered with the form; the same form submitted twice carries the same key.
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, available_cents: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request_key"].initial = uuid.uuid4().hex
        minimum = format_money(settings.PAYOUT_MINIMUM_CENTS)
        self.fields[
            "amount"
        ].help_text = f"Between {minimum} and your available {format_money(available_cents)}."

    def clean_amount(self) -> int:
        try:
            return to_minor_units(self.cleaned_data["amount"], platform_currency())
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
