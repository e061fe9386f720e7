"""The architectures, one family per module; importing this package registers every one.

A family's module is found here by itself: adding `cnnref/models/<family>.py` (with its
`register_family(...)` and `@register(...)` builders) is all the package needs.
"""

import importlib
import pkgutil

__all__ = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))

for _name in __all__:
    importlib.import_module(f"{__name__}.{_name}")
