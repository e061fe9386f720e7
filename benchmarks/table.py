"""Print the tables of the committed benchmark results, as the site's Performance page does.

    python benchmarks/table.py                   # every JSON in benchmarks/results/
    python benchmarks/table.py results/cpu.json  # one run

The reading, the tables and the plot live with the site's generators (`docs/gen/perf.py`).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs"))

from gen import perf  # docs/ is on the path only from here on


def main(argv: list[str]) -> int:
    results = perf.load_results(argv[0] if argv else None)
    print(perf.ratio_table_markdown(results))
    print()
    print(perf.ceiling_table_markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
