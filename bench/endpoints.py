"""The endpoints the benchmarks request, found in the URLconf rather than listed by hand."""

from django.apps import apps
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

SKIPPED_PREFIXES = ("/admin/", "/accounts/", "/api/schema", "/api/docs", "/static/", "/media/")


def discover_endpoints() -> list[tuple[str, str, list[str]]]:
    """(kind, URL name, kwarg names) of every GET-able list endpoint and page in the URLconf."""
    found = []

    def walk(patterns, namespace, kwargs):
        for pattern in patterns:
            names = kwargs + list(_kwarg_names(pattern.pattern))
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, _join(namespace, pattern.namespace), names)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.append((_join(namespace, pattern.name), names))

    walk(get_resolver().url_patterns, None, [])
    endpoints = []
    for name, kwargs in found:
        if "format" in kwargs or not all(kwarg.endswith("_pk") or kwarg == "pk" for kwarg in kwargs):
            continue
        try:
            probe = reverse(name, kwargs=dict.fromkeys(kwargs, 1))
        except NoReverseMatch:  # positional groups (the admin's): not a list endpoint of ours
            continue
        if probe.startswith(SKIPPED_PREFIXES):
            continue
        if probe.startswith("/api/"):
            if name.endswith("-list") and not kwargs:
                endpoints.append(("api list", name, tuple(kwargs)))
        elif "pk" not in kwargs:
            endpoints.append(("page", name, tuple(kwargs)))
    return sorted(set(endpoints), key=lambda e: (e[0], e[1]))


def _kwarg_names(pattern):
    converters = getattr(pattern, "converters", None)
    if converters is not None:
        return list(converters)
    return list(pattern.regex.groupindex)


def _join(namespace, name):
    return f"{namespace}:{name}" if namespace and name else (name or namespace)


def url_for(name, kwargs, user):
    """The endpoint's URL with each ``<model>_pk`` filled by the first such object the user sees."""
    filled = {}
    for kwarg in kwargs:
        model = next((m for m in apps.get_models() if m._meta.model_name == kwarg.removesuffix("_pk")), None)
        if model is None:
            return None
        queryset = model.objects.visible_to(user) if hasattr(model.objects, "visible_to") else model.objects.all()
        obj = queryset.order_by("pk").first()
        if obj is None:
            return None
        filled[kwarg] = obj.pk
    return reverse(name, kwargs=filled)
