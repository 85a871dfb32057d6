"""Forms of the billing page: amounts are typed in the currency's units, kept in minor units."""

from decimal import Decimal

from django import forms

from core.money import format_money, platform_currency, to_minor_units

from .funding import MAX_TOP_UP_CENTS, MIN_REFUND_CENTS, MIN_TOP_UP_CENTS


class AmountField(forms.DecimalField):
    """An amount like "250" or "99.50", cleaned to integer minor units of the platform currency."""

    def __init__(self, *, low: int, high: int, **kwargs):
        self.low, self.high = low, high
        super().__init__(decimal_places=2, max_digits=12, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "step": "0.01", "min": low / 100})

    def clean(self, value):
        amount = super().clean(value)
        cents = to_minor_units(
            amount if isinstance(amount, Decimal) else str(amount), platform_currency()
        )
        if not self.low <= cents <= self.high:
            raise forms.ValidationError(
                f"Enter an amount from {format_money(self.low)} to {format_money(self.high)}."
            )
        return cents


class TopUpForm(forms.Form):
    amount = AmountField(
        low=MIN_TOP_UP_CENTS,
        high=MAX_TOP_UP_CENTS,
        label="Amount to add",
        help_text=f"From {format_money(MIN_TOP_UP_CENTS)} to {format_money(MAX_TOP_UP_CENTS)}.",
    )


class TestTopUpForm(TopUpForm):
    """Offline test mode: the payer picks what the test card does."""

    OUTCOMES = [
        ("succeed", "Payment succeeds (test card 4242 4242 4242 4242)"),
        ("decline", "Card is declined (test card 4000 0000 0000 0002)"),
    ]
    outcome = forms.ChoiceField(
        choices=OUTCOMES, initial="succeed", widget=forms.RadioSelect, label="Test outcome"
    )


class RefundForm(forms.Form):
    def __init__(self, *args, refundable_cents: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"] = AmountField(
            low=MIN_REFUND_CENTS,
            high=max(refundable_cents, MIN_REFUND_CENTS),
            label="Amount to refund",
            help_text=f"Up to {format_money(refundable_cents)}: unused balance goes back to "
            "the cards of your latest top-ups.",
        )
