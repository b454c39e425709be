"""The demo's proposals (filled by the proposals work)."""


def load(loader) -> None:
    """Add the demo's proposals to what ``loader`` (a devdata.demo.DemoLoader) has loaded."""
