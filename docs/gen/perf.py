"""The performance page: tables and a plot of the committed benchmark results.

`python -m cnnref bench ... --out FILE` measures (`cnnref.bench`); the JSON committed in the
repository's `benchmarks/results/` is what this page is rendered from, here, at build time.
`python benchmarks/table.py` prints the ratio table of the committed runs.
"""

from __future__ import annotations

import io
import json
import math
import shlex
import statistics
from pathlib import Path

from gen import Out

RESULTS_DIR = Path(__file__).resolve().parents[2] / "benchmarks" / "results"
RATIO_TARGET = 0.97
"""The project's target: cnnref's throughput at least 0.97x torchvision's."""


def load_results(path: str | Path | None = None) -> dict:
    """Load committed results: one JSON file, or every `*.json` in a folder.

    Args:
        path: A file written by `python -m cnnref bench ... --out`, or a folder of them
            (default: the repository's `benchmarks/results/`).

    Returns:
        `{"runs": {stem: {"machine", "protocol", "matmul", "created", "command", "note"}},
        "results": [...]}`: each result carries `"run"`, the stem of the file it came from
        (`"cpu"` for `cpu.json`).

    Raises:
        FileNotFoundError: If there is no such file, or the folder holds no JSON.
    """
    path = RESULTS_DIR if path is None else Path(path)
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files or not files[0].exists():
        raise FileNotFoundError(f"load_results: no benchmark JSON at {path}")
    merged: dict = {"runs": {}, "results": []}
    for file in files:
        data = json.loads(file.read_text())
        merged["runs"][file.stem] = {k: v for k, v in data.items() if k != "results"}
        merged["results"] += [{**r, "run": file.stem} for r in data["results"]]
    return merged


def _as_loaded(results: dict) -> dict:
    """Accept both `load_results()` output and a single run (as `run` returns it)."""
    if "runs" in results:
        return results
    return {
        "runs": {"run": {k: v for k, v in results.items() if k != "results"}},
        "results": [{**r, "run": "run"} for r in results["results"]],
    }


def _column(r: dict, several_runs: bool, several_dtypes: bool, mode: bool = True) -> str:
    label = f"train b{r['batch']}" if r["workload"] == "train" else f"b{r['batch']}"
    if mode:
        label = f"{r['mode']} {label}"
    if several_dtypes:
        label = f"{r['dtype']} {label}"
    if several_runs:
        label = f"{r['run']} {label}"
    return label


def ratio_table_markdown(results: dict) -> str:
    """A Markdown table of cnnref/torchvision throughput ratios, one row per network.

    Ratios below 0.97 are bold; a measurement that failed reads "error".

    Args:
        results: From `load_results()` (or one run, as `run` returns it).

    Returns:
        The table, one column per mode and workload.

    Example:
        >>> record = {"network": "resnet18", "kind": "pair", "mode": "eager", "dtype": "float32",
        ...           "workload": "infer_b1", "batch": 1, "ratio": 0.95}
        >>> print(ratio_table_markdown({"results": [record]}))
        | network | eager b1 |
        |---|---|
        | resnet18 | **0.950** |
    """
    loaded = _as_loaded(results)
    pairs = [r for r in loaded["results"] if r["kind"] == "pair"]
    several_runs = len({r["run"] for r in pairs}) > 1
    several_dtypes = len({r["dtype"] for r in pairs}) > 1
    columns: list[str] = []
    cells: dict[tuple[str, str], str] = {}
    for r in pairs:
        col = _column(r, several_runs, several_dtypes)
        if col not in columns:
            columns.append(col)
        if "error" in r:
            cells[r["network"], col] = "error"
        else:
            ratio = f"{r['ratio']:.3f}"
            cells[r["network"], col] = f"**{ratio}**" if r["ratio"] < RATIO_TARGET else ratio
    networks = list(dict.fromkeys(r["network"] for r in pairs))
    lines = ["| network | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for net in networks:
        row = [cells.get((net, c), "–") for c in columns]
        lines.append(f"| {net} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def step_time_spread(results: dict) -> dict[str, float]:
    """How much single steps vary: the interquartile range of step times over their median.

    Measured for both implementations of every pair; a ratio closer to 1.00 than this spread
    is within the noise of the machine the run was on.

    Args:
        results: From `load_results()` (or one run, as `run` returns it).

    Returns:
        `{"median": ..., "p90": ..., "max": ...}` as fractions, over every measurement.

    Example:
        >>> step = {"step_s": {"q1": 0.98, "median": 1.0, "q3": 1.02}}
        >>> record = {"kind": "pair", "cnnref": step, "torchvision": step}
        >>> step_time_spread({"results": [record]})
        {'median': 0.04, 'p90': 0.04, 'max': 0.04}
    """
    spreads = sorted(
        (s["q3"] - s["q1"]) / s["median"]
        for r in _as_loaded(results)["results"]
        if r["kind"] == "pair" and "error" not in r
        for s in (r["cnnref"]["step_s"], r["torchvision"]["step_s"])
    )
    if not spreads:
        return {}
    return {
        "median": round(statistics.median(spreads), 4),
        "p90": round(spreads[int(0.9 * (len(spreads) - 1))], 4),
        "max": round(spreads[-1], 4),
    }


def ceiling_table_markdown(results: dict) -> str:
    """A Markdown table of cnnref's throughput and its share of the matmul rate (eager).

    Args:
        results: From `load_results()`.

    Returns:
        One row per network (every cnnref model measured), one column pair per workload.
    """
    loaded = _as_loaded(results)
    rows = [r for r in loaded["results"] if r["mode"] == "eager" and "error" not in r]
    several_runs = len({r["run"] for r in rows}) > 1
    several_dtypes = len({r["dtype"] for r in rows}) > 1
    columns = list(dict.fromkeys(_column(r, several_runs, several_dtypes, False) for r in rows))
    cells = {}
    for r in rows:
        c = r["cnnref"]
        cells[r["cnnref_model"], _column(r, several_runs, several_dtypes, False)] = (
            f"{c['images_per_s']:.4g} img/s ({c['matmul_fraction']:.0%})"
        )
    lines = ["| model | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for model in dict.fromkeys(r["cnnref_model"] for r in rows):
        lines.append(
            f"| {model} | " + " | ".join(cells.get((model, c), "–") for c in columns) + " |"
        )
    return "\n".join(lines)


def _spread_labels(points: list[tuple[float, float]], gap: float = 0.09) -> list[float]:
    """Heights (log10) for the labels of points `(log10 x, log10 y)`, so none overlap.

    Labels sit to the right of their points; where points lie within 0.3 decades of each
    other along x, their labels are pushed up until `gap` decades apart.
    """
    placed: list[tuple[float, float]] = []
    heights = [0.0] * len(points)
    for i in sorted(range(len(points)), key=lambda i: points[i][1]):
        x, height = points[i]
        while clash := [
            h for px, h in placed if abs(px - x) < 0.3 and abs(h - height) < 0.999 * gap
        ]:
            height = max(clash) + gap
        placed.append((x, height))
        heights[i] = height
    return heights


def throughput_plot_svg(
    results: dict, mode: str = "eager", workload: str | None = None, dtype: str | None = None
) -> str:
    """Plot inference throughput against parameter count, cnnref and torchvision.

    Args:
        results: From `load_results()`.
        mode: The mode to plot.
        workload: The workload (default: the largest inference batch measured).
        dtype: The dtype (default: the first one measured).

    Returns:
        An SVG document (a string), reproducible byte for byte for the same results.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    loaded = _as_loaded(results)
    run_name = next(iter(loaded["runs"]))
    rows = [r for r in loaded["results"] if r["run"] == run_name and r["mode"] == mode]
    rows = [r for r in rows if "error" not in r]
    if workload is None:
        workload = max((r for r in rows if r["workload"] != "train"), key=lambda r: r["batch"])[
            "workload"
        ]
    dtype = dtype or rows[0]["dtype"]
    rows = [r for r in rows if r["workload"] == workload and r["dtype"] == dtype]
    batch = next(r["batch"] for r in rows)
    with plt.rc_context({"svg.hashsalt": "cnnref", "svg.fonttype": "none"}):
        fig, ax = plt.subplots(figsize=(8, 5.5))
        ax.set_xscale("log")
        ax.set_yscale("log")
        for impl, marker, color in (
            ("cnnref", "o", "tab:blue"),
            ("torchvision", "x", "tab:orange"),
        ):
            pts = [(r["params"][impl] / 1e6, r[impl]["images_per_s"]) for r in rows if impl in r]
            if pts:
                xs, ys = [x for x, _ in pts], [y for _, y in pts]
                ax.scatter(xs, ys, marker=marker, color=color, label=impl, zorder=3)
        labels = [(r["params"]["cnnref"] / 1e6, r["cnnref"]["images_per_s"], r) for r in rows]
        heights = _spread_labels([(math.log10(x), math.log10(y)) for x, y, _ in labels])
        for (x, y, r), height in zip(labels, heights, strict=True):
            moved = abs(height - math.log10(y)) > 1e-9
            ax.annotate(
                r["cnnref_model"],
                (x, y),
                xytext=(x * 1.12, 10**height),
                fontsize=7,
                va="center",
                arrowprops={"arrowstyle": "-", "lw": 0.4, "color": "0.6"} if moved else None,
            )
        ax.set_xlabel("parameters (millions)")
        ax.set_ylabel("images per second")
        info = loaded["runs"][run_name].get("machine", {})
        threads = info.get("torch_threads", "?")
        where = info.get("gpu") or f"{info.get('cpu', '?')}, {threads} thread" + (
            "" if threads == 1 else "s"
        )
        size = loaded["runs"][run_name].get("protocol", {}).get("image_size", "?")
        ax.set_title(
            f"{where}: {mode}, {dtype}, inference at batch {batch}, {size}×{size} images",
            fontsize=10,
        )
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        plt.close(fig)
    return buffer.getvalue()


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
    try:
        results = load_results()
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
        f"**cnnref / torchvision throughput** (1.00 is parity; below {RATIO_TARGET:g} in bold):",
        ratio_table_markdown(results),
    )
    spread = step_time_spread(results)
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
        ceiling_table_markdown(results),
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
        throughput_plot_svg(results),
        "Scatter plot, log-log, of images per second against parameters for cnnref (circles) "
        f"and torchvision (crosses): {', '.join(networks)}",
    )
    return out
