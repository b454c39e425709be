"""The standing vocabulary in templates: ``{{ value|standing }}`` gives the Standing (label,
value, colour) of a rating, projection or standing, "No data" for nothing."""

from django import template

from accountability.choices import Standing

register = template.Library()


@register.filter
def standing(value) -> Standing:
    return Standing.of(value)
