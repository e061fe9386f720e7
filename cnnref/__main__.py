"""Command line: `python -m cnnref list | params | summary NAME | train RECIPE | bench NAME`.

Example:
    >>> from cnnref.__main__ import main
    >>> main(["list", "lenet"])  # doctest: +ELLIPSIS
    lenet5 ...
    0
    >>> main(["list", "vgg1[13]_bn"])  # doctest: +ELLIPSIS
    vgg11_bn ...
    vgg13_bn ...
    0
"""

from __future__ import annotations

import argparse
import sys

import torch

from cnnref import models  # noqa: F401  (registers every family)
from cnnref.factory import create_model
from cnnref.registry import get_card, list_models


def _list(args: argparse.Namespace) -> int:
    for name in list_models(args.family or args.filter):
        card = get_card(name)
        print(f"{name:16s} {card.year}  {card.title}")
    return 0


def _summary(args: argparse.Namespace) -> int:
    import torchinfo

    card = get_card(args.name)
    size = tuple(args.input_size) if args.input_size else card.input_size
    if len(size) != 3:
        raise SystemExit(f"--input-size takes C H W (three numbers), got {size}")
    device = torch.device(args.device)
    with device:
        model = create_model(args.name).eval()
    stats = torchinfo.summary(
        model,
        input_size=(args.batch_size, *size),
        device=device,
        depth=args.depth,
        col_names=("input_size", "output_size", "num_params", "mult_adds"),
        verbose=0,
    )
    print(stats)
    return 0


def _count(model: torch.nn.Module) -> int:
    # GoogLeNet's auxiliary classifiers only train; the papers and torchvision count without.
    return sum(p.numel() for n, p in model.named_parameters() if not n.startswith("aux"))


def _params(args: argparse.Namespace) -> int:
    import warnings

    import torchvision

    # torchvision's GoogLeNet warns about a future change of its default initialisation.
    warnings.filterwarnings("ignore", category=FutureWarning, module="torchvision")

    print(f"{'model':14s} {'this code':>13s} {'paper':>13s} {'torchvision':>13s}  torchvision's")
    for name in list_models(args.family or args.filter):
        card = get_card(name)
        with torch.device("meta"):
            ours = _count(create_model(name))
            theirs = ""
            if card.torchvision:
                tv = getattr(torchvision.models, card.torchvision)(weights=None)
                theirs = f"{_count(tv):,}"
        paper = f"{card.paper_params:,}" if card.paper_params else "-"
        print(f"{name:14s} {ours:>13,} {paper:>13s} {theirs or '-':>13s}  {card.torchvision or ''}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: Arguments without the program name (default: `sys.argv[1:]`).

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(prog="python -m cnnref", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="list the registered models")
    p.add_argument(
        "filter", nargs="?", help="a family (vgg, resnet, ...) or a pattern ('resnet*', 'vgg1?')"
    )
    p.add_argument("--family", help="only this family (vgg, resnet, ...)")
    p.set_defaults(run=_list)

    p = sub.add_parser("params", help="parameter counts: this code, the paper, torchvision")
    p.add_argument("filter", nargs="?", help="a family or a pattern, as for `list`")
    p.add_argument("--family", help="only this family (vgg, resnet, ...)")
    p.set_defaults(run=_params)

    p = sub.add_parser("summary", help="print a torchinfo summary of a model")
    p.add_argument("name", help="a name from `python -m cnnref list`")
    p.add_argument("--input-size", type=int, nargs="+", metavar="N", help="C H W")
    p.add_argument("--batch-size", type=int, default=1)
    p.add_argument("--depth", type=int, default=3, help="how deep to list submodules")
    p.add_argument("--device", default="cpu", help="cpu, cuda, meta (meta is instant)")
    p.set_defaults(run=_summary)

    p = sub.add_parser("train", help="run a training recipe (see cnnref.recipes)", add_help=False)
    p.set_defaults(run=lambda a: _delegate("cnnref.recipes", a))
    p = sub.add_parser("bench", help="benchmark a model against torchvision", add_help=False)
    p.set_defaults(run=lambda a: _delegate("cnnref.bench", a))

    args, rest = parser.parse_known_args(argv)
    args.rest = rest
    if rest and args.command not in ("train", "bench"):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        return args.run(args)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `python -m cnnref params | head`: the reader stopped listening
        sys.stdout = None  # nothing left to flush at exit
        return 0


def _delegate(module: str, args: argparse.Namespace) -> int:
    import importlib  # train and bench load when asked for: `list` and `params` start faster

    return importlib.import_module(module).main(args.rest)


if __name__ == "__main__":
    sys.exit(main())
