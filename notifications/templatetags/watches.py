"""``watch_target``: which ``Watch`` field follows an object (state, zone or school), for the watch button."""

from django import template

from ..services import target_field

register = template.Library()


@register.filter
def watch_target(target) -> str:
    return target_field(target)
