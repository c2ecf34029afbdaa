# The README's two commands are `make demo` and `make test`; .ci/run runs `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: setup demo test lint format browser-deps report-deps bench eval

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

## Offline demo on the embedded default: bundled site -> crawl -> enrich -> triage -> dashboard.
demo: setup
	$(BIN)/giamsat demo

## Debian's Chromium for the browser test (nothing is downloaded at run time beyond Debian packages).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver fonts-noto-color-emoji; }

## LibreOffice for the reports' PDF export, poppler to look at its pages, and Times New Roman's metrics
## with every Vietnamese letter (fonts-liberation2) so a report's lines break as in Word.
report-deps:
	@{ command -v soffice && command -v pdftoppm && test -d /usr/share/fonts/truetype/liberation2; } >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    libreoffice-writer-nogui poppler-utils fonts-liberation2; }

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Everything CI runs: lint, the whole test suite (incl. the model evaluation gate and the browser test).
test: setup browser-deps report-deps lint
	$(BIN)/python -m pytest

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

eval: setup
	$(BIN)/giamsat eval

bench: setup
	for b in benchmarks/*.py; do echo "== $$b"; PYTHONPATH=tests $(BIN)/python $$b || exit 1; done
