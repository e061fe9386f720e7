# The README's two commands: `make serve` and `make test`. Each sets up a fresh machine itself.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
KATEX := docs/assets/vendor/katex/katex.min.css
CHROMIUM := /usr/bin/chromium
# nbconvert (which converts a notebook whose page is not cached) by default builds every installed
# exporter just to list the enabled ones: 0.4 s each time it is imported.
export NBCONVERT_DISABLE_CONFIG_EXPORTERS := 1

.PHONY: setup serve build test lint format bench gpu-check wheel-check site-loop page-work \
	lighthouse-ablation clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[docs,test]'
	touch $@

# npm packages (package-lock.json): KaTeX typesets the math at build time (docs/hooks_site.py)
# and its stylesheet and fonts are served by the site itself (no CDN; the copy is gitignored);
# Lighthouse and axe-core check the built site (tests/test_lighthouse.py, test_site_browser.py).
$(KATEX): package.json package-lock.json
	command -v npm >/dev/null || (apt-get update && apt-get install -y npm)
	npm ci --no-audit --no-fund
	rm -rf $(dir $(KATEX)) && mkdir -p $(dir $(KATEX))
	cp -r node_modules/katex/dist/{katex.min.css,fonts} node_modules/katex/LICENSE $(dir $(KATEX))

# Debian's Chromium for the browser test (Playwright's own browser download does not work here).
$(CHROMIUM):
	apt-get update && apt-get install -y chromium

setup: $(STAMP) $(KATEX)

serve: setup
	$(BIN)/mkdocs serve -a 127.0.0.1:8000

build: setup
	$(BIN)/mkdocs build --strict

# ruff, and the import contracts of pyproject.toml (the package's layers: no cycle).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: setup lint build $(CHROMIUM)
	CNNREF_SITE_DIR=site $(BIN)/python -m pytest

bench: setup
	$(BIN)/python benchmarks/run.py

# On a machine with a CUDA GPU: the tests marked `cuda`, then the benchmark suite on the GPU.
gpu-check: setup
	$(BIN)/python -c "import torch, sys; sys.exit(not torch.cuda.is_available() and 'gpu-check: CUDA is not available')"
	$(BIN)/python -m pytest -m cuda
	$(BIN)/python -m cnnref bench all --device cuda --out benchmarks/results/cuda.json

# The wheel, installed into a clean folder, run from outside the repository (also a slow test).
wheel-check: setup
	$(BIN)/python -m pytest tests/test_wheel.py

# The author's loop: warm `mkdocs build` and live-reload times (benchmarks/site_loop.py).
site-loop: setup
	$(BIN)/python benchmarks/site_loop.py

# What a page of each type costs the browser as it loads, counted (benchmarks/page_work.py).
page-work: build $(CHROMIUM)
	$(BIN)/python benchmarks/page_work.py site

# Lighthouse on the site and on copies without its scripts: what each costs a page's performance.
lighthouse-ablation: build $(CHROMIUM)
	$(BIN)/python benchmarks/lighthouse_ablation.py site

clean:
	rm -rf site .cache artifacts
