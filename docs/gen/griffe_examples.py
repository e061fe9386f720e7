"""Griffe extension: read cnnref's `Example:` docstring sections as examples (doctests).

cnnref's docstrings say `Example:` (STYLE.md); griffe's Google parser knows only `Examples:`
and would render the doctest as plain Markdown, where `[...]` output reads as a link. This
renames the section header before parsing, so mkdocstrings shows a `pycon` code block.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_HEADER = re.compile(r"^(\s*)Example:\s*$", re.M)


class ExampleSections(griffe.Extension):
    """Rename `Example:` section headers to `Examples:` in every docstring."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite the object's docstring, if it has one."""
        if obj.docstring is not None:
            obj.docstring.value = _HEADER.sub(r"\1Examples:", obj.docstring.value)
