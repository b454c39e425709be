"""The ledger's vocabularies in templates: ``{{ term.status|term_status }}`` and
``{{ check_in.practice|practice }}`` give the choice (label, value, colour)."""

from django import template

from autonomy.choices import Practice, TermStatus

register = template.Library()


@register.filter
def term_status(value) -> TermStatus:
    return TermStatus(value)


@register.filter
def practice(value) -> Practice:
    return Practice(value)
