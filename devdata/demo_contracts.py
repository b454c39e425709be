"""The demo's contracts (filled by the contracts work)."""


def load(loader) -> None:
    """Add the demo's contracts to what ``loader`` (a devdata.demo.DemoLoader) has loaded."""
