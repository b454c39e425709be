"""Template helpers of comment threads: a subject's thread URL, and comment counts for a list."""

from django import template
from django.db.models import Count

from ..choices import Subject
from ..models import Comment
from ..subjects import SUBJECTS, thread_url

register = template.Library()


@register.simple_tag
def thread_link(subject, obj) -> str:
    """The thread URL of ``obj``, a subject of kind ``subject`` (a Subject value)."""
    kind = SUBJECTS[Subject(subject)]
    assert isinstance(obj, kind.model), f"{obj!r} is no {kind.subject.label.lower()}"
    return thread_url(obj)


@register.simple_tag
def count_comments(subject, objects) -> str:
    """Set ``comment_count`` (the comments the reader may read) on each of ``objects``, subjects of
    kind ``subject``, in one query. Renders nothing."""
    objects = list(objects)
    field = SUBJECTS[Subject(subject)].field
    counts = dict(
        Comment.objects.filter(**{f"{field}__in": [obj.pk for obj in objects]})
        .values_list(field)
        .annotate(count=Count("pk"))
        .values_list(field, "count")
    )
    for obj in objects:
        obj.comment_count = counts.get(obj.pk, 0)
    return ""
