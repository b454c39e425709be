"""Formatting for report pages and PDFs: whole dollars, shares as percentages, months."""

from datetime import datetime
from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def money(amount) -> str:
    """``Decimal("1234567.89")`` → ``$1,234,568``."""
    if amount is None:
        return "—"
    return f"${number_format(Decimal(amount), decimal_pos=0, force_grouping=True)}"


@register.filter
def percent(share) -> str:
    """``Decimal("0.456")`` → ``46%``."""
    if share is None:
        return "—"
    return f"{number_format(Decimal(share) * 100, decimal_pos=0, force_grouping=True)}%"


@register.filter
def month(period: str) -> str:
    """A report period: ``2026-11`` → ``November 2026``."""
    return datetime.strptime(period, "%Y-%m").strftime("%B %Y")
