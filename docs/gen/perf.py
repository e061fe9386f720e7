"""The performance page: the committed benchmark results, through `cnnref.bench`."""

from __future__ import annotations

import shlex

from gen import Out


def _shell_lines(command: str, indent: str) -> str:
    """A recorded command as a reader types it: one `--option value` a line, `\\`-continued,
    each value quoted only where the shell needs it (double quotes when it holds a `'`)."""

    def quote(arg: str) -> str:
        if shlex.quote(arg) == arg or any(c in arg for c in '"$`\\!'):
            return shlex.quote(arg)
        return f'"{arg}"' if "'" in arg else shlex.quote(arg)

    parts, lines = shlex.split(command), []
    for arg in parts:
        if arg.startswith("--") or not lines:
            lines.append(quote(arg))
        else:
            lines[-1] += " " + quote(arg)
    head = [ln for ln in lines if not ln.startswith("--")]
    options = [ln for ln in lines if ln.startswith("--")]
    short = [o for o in options if len(o) <= 20]
    first = " ".join(head + short)
    rest = [o for o in options if len(o) > 20]
    return f" \\\n{indent}    ".join([indent + first, *rest])


def performance() -> Out:
    """The machine and protocol of each run, the ratio table, the ceiling table, the plot."""
    from cnnref import bench

    try:
        results = bench.load_results()
    except FileNotFoundError:
        return Out().add(
            '!!! note "No results committed yet"\n\n'
            "    `benchmarks/results/` holds no benchmark JSON. Run `make bench` (or "
            "`python -m cnnref bench ...`) and commit the JSON it writes there; this page is "
            "rebuilt from it."
        )
    out = Out()
    lines = []
    for stem, run in results["runs"].items():
        machine = run.get("machine", {})
        where = machine.get("gpu") or machine.get("cpu") or "unknown machine"
        torch_version = machine.get("torch", "")
        detail = ", ".join(
            str(x) for x in (where, f"torch {torch_version}" if torch_version else "") if x
        )
        command = run.get("command")
        line = f"- **{stem}**: {detail}"
        if run.get("created"):
            line += f", {run['created']}"
        if run.get("note"):
            line += f". {run['note']}"
        if command:  # as a code block under the item, one option a line
            line += "\n\n    ```bash\n" + _shell_lines(command, "    ") + "\n    ```\n"
        lines.append(line)
    out.add("Runs:", "\n".join(lines))
    out.add(
        "**cnnref / torchvision throughput** (1.00 is parity; below "
        f"{bench.RATIO_TARGET:g} in bold):",
        bench.ratio_table_markdown(results),
    )
    spread = bench.step_time_spread(results)
    if spread:
        out.add(
            "How much a single step varies on this machine, and so how far from 1.00 a ratio "
            "can land by chance: the interquartile range of a measurement's step times is a "
            f"median {spread['median']:.1%} of its median step, {spread['p90']:.1%} or less "
            f"for nine measurements in ten, and at most {spread['max']:.1%}. The pairs run "
            "the same operations in the same order (the tests check equal outputs), so a "
            "ratio a few per cent from 1.00 says more about the machine than the code."
        )
    out.add(
        "**cnnref's throughput** and its share of the machine's matrix-multiply rate:",
        bench.ceiling_table_markdown(results),
    )
    networks = sorted(
        {
            r.get("cnnref_model", r.get("network", "?"))
            for r in results["results"]
            if "error" not in r
        }
    )
    out.figure(
        "performance/throughput.svg",
        bench.throughput_plot_svg(results),
        "Scatter plot, log-log, of images per second against parameters for cnnref (circles) "
        f"and torchvision (crosses): {', '.join(networks)}",
    )
    return out
