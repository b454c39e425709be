"""Proposals as people read them: each changed field with its label and its values in words
(choice labels, formatted dates), read by the pages, the API and the audit trail."""

from dataclasses import dataclass

from django.utils.formats import date_format

from .choices import ProposalKind
from .services import TARGET_MODELS, python_value


@dataclass(frozen=True)
class ShownChange:
    field: str
    before: str
    after: str


def value_text(model, name: str, value) -> str:
    """A field's value in words: a choice's label, a date as "Sep 1, 2010", "—" for none."""
    field = model._meta.get_field(name)
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.get_internal_type() == "DateField":
        return date_format(value, "M j, Y")
    return str(value)


def shown_changes(proposal) -> list[ShownChange]:
    model = TARGET_MODELS[ProposalKind(proposal.kind)]
    return [
        ShownChange(
            str(model._meta.get_field(name).verbose_name).capitalize(),
            value_text(model, name, python_value(model, name, proposal.before.get(name))),
            value_text(model, name, python_value(model, name, after)),
        )
        for name, after in proposal.after.items()
    ]
