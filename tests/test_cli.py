"""The command line: `python -m cnnref list | params | summary`."""

from __future__ import annotations

import os
import subprocess
import sys

from cnnref.__main__ import main


def test_list_prints_every_model(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "vgg16 " in out and "resnet152 " in out and "unet " in out


def test_summary_on_meta_device(capsys):
    assert main(["summary", "vgg16", "--device", "meta"]) == 0
    out = capsys.readouterr().out
    assert "138,357,544" in out  # torchvision's vgg16 count, printed by torchinfo


def test_summary_with_input_size(capsys):
    assert main(["summary", "lenet5", "--input-size", "1", "32", "32"]) == 0
    assert "60,000" in capsys.readouterr().out


def test_unknown_model_is_a_clear_error(capsys):
    assert main(["summary", "resnet51", "--device", "meta"]) == 2
    assert "resnet50" in capsys.readouterr().err


def test_module_entry_point_runs():
    out = subprocess.run(
        [sys.executable, "-m", "cnnref", "list", "--family", "vgg"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.splitlines()[0].startswith("vgg11 ")


def test_params_table(capsys):
    assert main(["params", "--family", "resnet"]) == 0
    rows = {line.split()[0]: line.split()[1:] for line in capsys.readouterr().out.splitlines()}
    assert rows["resnet50"][0] == "25,557,032"
    assert rows["resnet50_tv"][:3] == ["25,557,032", "-", "25,557,032"]


def test_output_piped_into_a_reader_that_stops_early():
    # `python -m cnnref params | head -1`: no BrokenPipeError traceback, exit status 0.
    # Here the reader has gone before the first byte, which is the same error, every time.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "cnnref", "params"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"Traceback" not in proc.stderr


def test_list_takes_a_family_or_a_pattern(capsys):
    assert main(["list", "resnet*_tv"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names == ["resnet50_tv", "resnet101_tv", "resnet152_tv"]
    assert main(["list", "vgg"]) == 0
    assert "vgg11_lrn " in capsys.readouterr().out
    assert main(["list", "resnt*"]) == 2
    assert "Did you mean 'resnet'" in capsys.readouterr().err
