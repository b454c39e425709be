"""Which API resource (router prefix, e.g. ``schools``) lists which tracked model: the deletes feed
names each delete's resource and filters by it. Filled by the API's router (config.api_urls),
which this app does not import."""

from django.urls import get_resolver

_models_by_prefix: dict[str, str] = {}


def _registered() -> dict[str, str]:
    """The registry, filled once the URLconf is loaded (a worker or a command may not have yet)."""
    if not _models_by_prefix:
        get_resolver().url_patterns  # noqa: B018 - importing the URLconf registers the resources
    return _models_by_prefix


def register(prefix: str, model) -> None:
    """``prefix`` lists ``model``'s rows; one resource per model, one model per resource."""
    label = model._meta.label_lower
    taken = {value: key for key, value in _models_by_prefix.items()}.get(label)
    if taken not in (None, prefix):
        raise ValueError(f"{label} is already the resource {taken}.")
    _models_by_prefix[prefix] = label


def model_label(prefix: str) -> str | None:
    return _registered().get(prefix)


def prefix_of(label: str) -> str | None:
    return next((prefix for prefix, model in _registered().items() if model == label), None)


def choices() -> list[tuple[str, str]]:
    return sorted((prefix, prefix) for prefix in _registered())
