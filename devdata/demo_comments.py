"""The demo's comments (filled by the comments work)."""


def load(loader) -> None:
    """Add the demo's comments to what ``loader`` (a devdata.demo.DemoLoader) has loaded."""
