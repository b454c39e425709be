"""The standing vocabulary in templates: ``{{ value|standing }}`` gives the Standing (label,
value, colour) of a rating, projection or standing, "No data" for nothing; ``{{ value|collection }}``
a collection calendar status."""

from django import template

from accountability.choices import Collection, Standing

register = template.Library()


@register.filter
def standing(value) -> Standing:
    return Standing.of(value)


@register.filter
def collection(value) -> Collection:
    """``{{ "late"|collection }}``: a requirement status of the collection calendar (label, colour)."""
    return Collection(value)
