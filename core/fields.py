"""Model fields every domain app builds the same way: money and school years."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from .validators import validate_school_year

MONEY = {"max_digits": 14, "decimal_places": 2}


def money_field(verbose_name, **kwargs):
    """Money is a Decimal with two places, never a float, and never negative."""
    kwargs.setdefault("validators", [MinValueValidator(Decimal("0.00"))])
    return models.DecimalField(verbose_name, **MONEY, **kwargs)


def school_year_field(verbose_name, *, validators=(), **kwargs):
    return models.CharField(verbose_name, max_length=7, validators=[validate_school_year, *validators], **kwargs)
