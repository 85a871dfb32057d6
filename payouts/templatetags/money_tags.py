"""`{{ cents|money }}`: integer minor units shown as money ("$12.50"), in the platform currency
unless a currency code is given (`{{ cents|money:"EUR" }}`)."""

from django import template

from core.money import format_money

register = template.Library()


@register.filter
def money(cents, currency: str = ""):
    return format_money(cents, currency or None)
