"""The platform fee: one flat, published percentage that companies pay on top of each reward."""

from django.conf import settings


def platform_fee_cents(reward_cents: int) -> int:
    """The fee on one reward, rounded half up to a whole minor unit."""
    return (reward_cents * settings.PLATFORM_FEE_PERCENT + 50) // 100


def cost_with_fee_cents(reward_cents: int) -> int:
    """What a company pays for one approved assignment: the reward plus the fee on it."""
    return reward_cents + platform_fee_cents(reward_cents)
