"""The demo's autonomy (filled by the autonomy work)."""


def load(loader) -> None:
    """Add the demo's autonomy to what ``loader`` (a devdata.demo.DemoLoader) has loaded."""
