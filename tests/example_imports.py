"""The imports a docstring `Example:` needs to run by itself, as a reader copies it.

    python tests/example_imports.py          # list the examples that lack imports
    python tests/example_imports.py --fix    # add the missing import lines to the examples

For each example, the names it uses but neither defines nor imports are looked up in its own
module: a name the module defines is imported from the module (`from cnnref.heads import
ClassificationHead`), a name the module imports is imported from where the module takes it
(`import torch`, `from torch import nn`). The import line goes first in the example, so the
doctest (which runs in the module's namespace) is unchanged and the copied code runs alone.
"""

from __future__ import annotations

import ast
import builtins
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cnnref"
HEADER = re.compile(r"^(?P<indent>\s*)Examples?:\s*$")
PROMPT = re.compile(r"^(?P<indent>\s*)(?:>>>|\.\.\.)(?: |$)")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_bindings(tree: ast.Module, module: str) -> dict[str, str]:
    """Name -> the import statement that gives a reader that name."""
    out: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                stmt = f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
                out[name] = stmt
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            source = node.module or ""
            if node.level:  # relative: resolve against this module's package
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if module.endswith("__init__") else 0)]
                source = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                name = alias.asname or alias.name
                stmt = f"from {source} import {alias.name}"
                out[name] = stmt + (f" as {alias.asname}" if alias.asname else "")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out[node.name] = f"from {module} import {node.name}"
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for n in ast.walk(target):
                    if isinstance(n, ast.Name):
                        out[n.id] = f"from {module} import {n.id}"
    return out


def free_names(code: str) -> list[str]:
    """Names the code reads before (or without) binding them, in order of first use."""
    tree = ast.parse(code)
    bound: set[str] = set()
    free: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)
            and node.id not in bound | set(free)
            and not hasattr(builtins, node.id)
        ):
            free.append(node.id)
    return free


def examples(lines: list[str]) -> list[tuple[int, str, str]]:
    """(index of the first prompt line, its indentation, the example's code) of each example.

    An example is the body of an `Example:` section: the lines after the header that are blank
    or indented deeper than it (prose may come before the first prompt).
    """
    out = []
    i = 0
    while i < len(lines):
        header = HEADER.match(lines[i])
        if not header:
            i += 1
            continue
        depth = len(header["indent"])
        j = i + 1
        first, code = None, []
        while j < len(lines) and (
            not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > depth
        ):
            if lines[j].strip() in ('"""', "'''"):
                break
            match = PROMPT.match(lines[j])
            if match:
                first = j if first is None else first
                code.append(lines[j][match.end() :])
            j += 1
        if first is not None:
            indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
            out.append((first, indent, "\n".join(code)))
        i = j
    return out


def missing_imports(path: Path) -> list[tuple[int, str, list[str], list[str]]]:
    """(line, indent, import statements to add, names nobody provides) for each example."""
    text = path.read_text(encoding="utf-8")
    module = module_name(path)
    bindings = module_bindings(ast.parse(text), module)
    out = []
    for first, indent, code in examples(text.splitlines()):
        try:
            names = free_names(code)
        except SyntaxError:
            continue
        statements: list[str] = []
        unknown = []
        for name in names:
            stmt = bindings.get(name)
            if stmt is None:
                unknown.append(name)
            elif stmt not in statements:
                statements.append(stmt)
        if statements or unknown:
            out.append((first, indent, statements, unknown))
    return out


def merge(statements: list[str]) -> list[str]:
    """`from m import a` and `from m import b` as `from m import a, b`; plain imports first."""
    plain = [s for s in statements if s.startswith("import ")]
    froms: dict[str, list[str]] = {}
    for s in statements:
        if s.startswith("from "):
            source, name = s[5:].split(" import ", 1)
            froms.setdefault(source, []).append(name)
    return plain + [f"from {source} import {', '.join(names)}" for source, names in froms.items()]


def main(fix: bool) -> int:
    count = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        found = missing_imports(path)
        if not found:
            continue
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for first, indent, statements, unknown in reversed(found):
            count += 1
            rel = path.relative_to(ROOT)
            note = f"; unknown {unknown}" if unknown else ""
            print(f"{rel}:{first + 1}: add {merge(statements)}{note}")
            if fix and statements:
                lines[first:first] = [f"{indent}>>> {s}\n" for s in merge(statements)]
        if fix:
            path.write_text("".join(lines), encoding="utf-8")
    print(f"{count} example(s) {'fixed' if fix else 'lack imports'}")
    return 0 if fix or not count else 1


if __name__ == "__main__":
    sys.exit(main("--fix" in sys.argv))
