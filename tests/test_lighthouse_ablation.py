"""benchmarks/lighthouse_ablation.py's variants leave out the scripts they name, and only those."""

from __future__ import annotations

from pathlib import Path

PAGE = """<html><head><script>inline()</script>
<script src="../assets/javascripts/theme.js" defer></script>
<script src="../assets/javascripts/far.js" defer></script>
<script src="../assets/javascripts/lazy.js" defer></script>
</head><body><p>text</p></body></html>"""


def _scripts(html: str) -> list[str]:
    return [name for name in ("theme.js", "far.js", "lazy.js", "inline()") if name in html]


def test_each_variant_leaves_out_its_scripts(tmp_path: Path, load_benchmark) -> None:
    ablation = load_benchmark("lighthouse_ablation")
    site = tmp_path / "site"
    (site / "vgg").mkdir(parents=True)
    (site / "vgg" / "index.html").write_text(PAGE, encoding="utf-8")
    (site / "styles.css").write_text("p {}", encoding="utf-8")
    kept = {}
    for i, (name, leave_out) in enumerate(ablation.VARIANTS.items()):
        variant = ablation.make_variant(site, tmp_path / str(i), leave_out)
        assert (variant / "styles.css").read_text(encoding="utf-8") == "p {}"
        kept[name] = _scripts((variant / "vgg" / "index.html").read_text(encoding="utf-8"))
    assert kept == {
        "as built": ["theme.js", "far.js", "lazy.js", "inline()"],
        "no theme.js": ["far.js", "lazy.js", "inline()"],
        "no far.js": ["theme.js", "lazy.js", "inline()"],
        "no scripts": ["inline()"],  # inline scripts stay
    }
    assert (site / "vgg" / "index.html").read_text(encoding="utf-8") == PAGE  # the site untouched
