"""Template filters of the web shell."""

from django import template

from mutua.core.money import format_amount

register = template.Library()


@register.filter
def money(minor: int, scale: int = 2) -> str:
    """`{{ account.balance_posted|money:account.ledger.scale }}` → "1,234.50"."""
    return format_amount(int(minor), scale=int(scale))


@register.filter
def bps_percent(bps: int) -> str:
    """`{{ 2550|bps_percent }}` → "25.5 %": basis points as a percentage, without float noise."""
    whole, rest = divmod(int(bps), 100)
    return f"{whole}.{rest:02d}".rstrip("0").rstrip(".") + " %"
