"""Template filters of the web shell."""

from django import template

from mutua.core.money import format_amount

register = template.Library()


@register.filter
def money(minor: int, scale: int = 2) -> str:
    """`{{ account.balance_posted|money:account.ledger.scale }}` → "1,234.50"."""
    return format_amount(int(minor), scale=int(scale))
