"""Money is an integer number of minor units plus a currency; convert only at the edges."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings

# Currencies whose minor unit is not a hundredth.
MINOR_UNIT_EXPONENT = {"JPY": 0, "KRW": 0, "BHD": 3, "KWD": 3}
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CAD": "CA$", "AUD": "A$"}


def platform_currency() -> str:
    return settings.PLATFORM_CURRENCY


def _exponent(currency: str) -> int:
    return MINOR_UNIT_EXPONENT.get(currency.upper(), 2)


def to_minor_units(amount: str | Decimal | int, currency: str) -> int:
    """Parse "12.5" into minor units (1250); refuse anything finer than the minor unit."""
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation as exc:
        raise ValueError(f"{amount!r} is not an amount") from exc
    if not value.is_finite():
        raise ValueError(f"{amount!r} is not an amount")
    scaled = value.scaleb(_exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount!r} has more decimals than {currency} allows")
    return int(scaled)


def to_decimal(minor_units: int, currency: str) -> Decimal:
    exponent = _exponent(currency)
    return (Decimal(minor_units).scaleb(-exponent)).quantize(Decimal(1).scaleb(-exponent))


def format_money(minor_units: int | None, currency: str | None = None) -> str:
    """ "$12.50" for (1250, "USD"); whole amounts drop the cents ("$15")."""
    if minor_units is None:
        return ""
    currency = (currency or platform_currency()).upper()
    amount = to_decimal(minor_units, currency)
    if amount == amount.to_integral_value():
        text = f"{amount.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
    else:
        text = f"{amount:,}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"
