from typing import Any


def load(ctx: dict[str, Any]) -> None:
    """Demo data for this app (filled in as the app's capability lands)."""
