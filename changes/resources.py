"""Which API resource (router prefix, e.g. ``schools``) lists which tracked model: the deletes feed
names each delete's resource and filters by it. Filled by the API's router (config.api_urls),
which this app does not import."""

_models_by_prefix: dict[str, str] = {}


def register(prefix: str, model) -> None:
    """``prefix`` lists ``model``'s rows; one resource per model, one model per resource."""
    label = model._meta.label_lower
    taken = {value: key for key, value in _models_by_prefix.items()}.get(label)
    if taken not in (None, prefix):
        raise ValueError(f"{label} is already the resource {taken}.")
    _models_by_prefix[prefix] = label


def model_label(prefix: str) -> str | None:
    return _models_by_prefix.get(prefix)


def prefix_of(label: str) -> str | None:
    return next((prefix for prefix, model in _models_by_prefix.items() if model == label), None)


def choices() -> list[tuple[str, str]]:
    return sorted((prefix, prefix) for prefix in _models_by_prefix)
