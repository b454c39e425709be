"""Formatting and link helpers for the pages, the report pages and the PDFs: the one filter library."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django import template
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def usd(amount) -> str:
    """Whole dollars with thousands separators: $1,234,567."""
    if amount in (None, ""):
        return "—"
    return f"${Decimal(amount):,.0f}"


@register.filter
def millions(amount) -> str:
    """Compact dollars for headline figures: $12.3M."""
    if amount in (None, ""):
        return "—"
    return f"${Decimal(amount) / 1_000_000:,.1f}M"


@register.filter
def percent(share, places: int = 0) -> str:
    """A share (0.42) as a percentage (42%)."""
    if share in (None, ""):
        return "—"
    return f"{Decimal(share) * 100:.{int(places)}f}%"


@register.filter
def month(period: str) -> str:
    """A report period: ``2026-11`` → ``November 2026``."""
    return datetime.strptime(period, "%Y-%m").strftime("%B %Y")


@register.filter
def school_year(value) -> str:
    """A school year that never breaks across lines: ``2009-10`` → ``2009–10`` (an en dash held
    to its digits by word joiners)."""
    if not value:
        return ""
    return str(value).replace("-", "\u2060\u2013\u2060")


@register.filter
def ratio(value) -> str:
    if value in (None, ""):
        return "—"
    return f"{Decimal(value):.2f}"


@register.simple_tag(takes_context=True)
def query(context, **changes) -> str:
    """The current query string with some parameters changed (None removes one); keeps filters on links."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def page_query(context, param, number) -> str:
    """The current query string pointing ``param`` at page ``number``."""
    return query(context, **{param: number})


@register.filter
def verbose(instance, field_name) -> str:
    """A model field's verbose name, capitalised, e.g. for a definition list."""
    return capfirst(instance._meta.get_field(field_name).verbose_name)


def relative_time(value, now: datetime | None = None) -> str:
    """When ``value`` was, in words, in the current time zone. A date is a day, never a moment:
    "today", "yesterday", else the date (a date read as its midnight would say "12 hours ago" at
    noon). A date-time is a moment: "just now", "5 minutes ago", "3 hours ago" the same day, then its day."""
    now = timezone.localtime(now)
    if isinstance(value, datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        if timedelta(0) <= now - moment < timedelta(minutes=1):
            return "just now"
        if moment.date() == now.date() and moment <= now:
            return f"{timesince(moment, now, depth=1)} ago"
        value = moment.date()
    if value == now.date():
        return "today"
    if value == now.date() - timedelta(days=1):
        return "yesterday"
    return date_format(value, "M j, Y")


@register.simple_tag
def when(value):
    """``value`` (a date or date-time) as a <time> reading how long ago it was, its exact date and
    time in the title; "—" when there is none."""
    if value in (None, ""):
        return "—"
    if isinstance(value, datetime):
        exact = date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "M j, Y H:i T")
    elif isinstance(value, date):
        exact = date_format(value, "l, M j, Y")
    else:
        return str(value)
    return format_html('<time datetime="{}" title="{}">{}</time>', value.isoformat(), exact, relative_time(value))


@register.filter
def days_ago(days) -> str:
    """An age in days, roughly: "today", "12 days ago", "5 months ago", "3 years ago"."""
    if days in (None, ""):
        return "—"
    if days < 1:
        return "today"
    for limit, size, unit in ((60, 1, "day"), (730, 30, "month")):
        if days < limit:
            count = days // size
            return f"{count} {unit}{pluralize(count)} ago"
    count = days // 365
    return f"{count} year{pluralize(count)} ago"
