"""Delete a record only when nothing refers to it: what would stop or be swept away by the delete,
counted and said in words ("3 commitments name this funder"), so a page, the API and the admin
give the same refusal."""

from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError

from core.permissions import permission_name


def _names(model) -> bool:
    """Whether a row of ``model`` names what it refers to: not a many-to-many through row, nor a read
    model's row (``derived = True``: recomputed from its inputs, it goes with them)."""
    return not model._meta.auto_created and not getattr(model, "derived", False)


def dependents(obj) -> Counter:
    """{model: how many rows} that refer to ``obj``: the rows protecting it and those its delete
    would cascade to (the through rows of its own many-to-many fields and read models' rows aside)."""
    collector = Collector(using=router.db_for_write(type(obj)))
    try:
        collector.collect([obj])
    except ProtectedError as error:
        return Counter(type(row) for row in error.protected_objects)
    except RestrictedError as error:
        return Counter(type(row) for row in error.restricted_objects)
    counts = Counter()
    for model, rows in collector.data.items():
        if _names(model):
            counts[model] += len([row for row in rows if not (model is type(obj) and row.pk == obj.pk)])
    for queryset in collector.fast_deletes:
        if _names(queryset.model):
            counts[queryset.model] += queryset.count()
    return +counts


def describe(counts: Counter) -> str:
    """ "3 commitments and 1 award" (largest first)."""
    parts = [
        f"{count} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}"
        for model, count in counts.most_common()
    ]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def kept_because(obj, counts: Counter | None = None) -> str | None:
    """Why ``obj`` may not be deleted (what names it), or None when nothing does."""
    counts = dependents(obj) if counts is None else counts
    if not counts:
        return None
    verb = "names" if sum(counts.values()) == 1 else "name"
    return f"{describe(counts)} {verb} this {obj._meta.verbose_name}, so it cannot be deleted."


class StillNamed(ValidationError):
    """A delete refused because other rows name the row: ``counts`` {model: how many} (the API
    says them as ``blocked_by``, by kind and count, never which rows: some may be other tenants')."""

    def __init__(self, obj, counts: Counter):
        super().__init__(kept_because(obj, counts) or "Other records refer to it now.", code="wrong_step")
        self.counts = counts


def delete_unused(obj, *, user, reason: str = "") -> None:
    """Delete ``obj`` for ``user`` (who may delete it: the permission table) when nothing refers
    to it; else ``StillNamed`` (code ``wrong_step``: the API's 409) saying what does. The history
    row names ``user`` and ``reason``. The directory's records (funders, metrics, Lead Partners,
    collaborators) are removed by this alone, from the pages and the API."""
    if not user.has_perm(permission_name(type(obj), "delete"), obj):
        raise PermissionDenied(f"You may not delete {obj}.")
    with transaction.atomic():
        type(obj)._base_manager.select_for_update().filter(pk=obj.pk).first()
        if counts := dependents(obj):
            raise StillNamed(obj, counts)
        obj._history_user = user
        if reason:
            obj._change_reason = reason
        try:
            obj.delete()
        except (ProtectedError, RestrictedError) as error:  # referred to meanwhile
            raise StillNamed(obj, dependents(obj)) from error
