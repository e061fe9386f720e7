"""Placeholder: being written."""


def torchvision_key(key: str) -> str:
    """Placeholder."""
    return key
