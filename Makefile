# The README's two commands are `make demo` and `make test`; .ci/run runs `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: setup demo test lint format browser-deps report-deps bench eval wheel-check es-check es-check-emulator

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
	$(BIN)/lint-imports
	$(BIN)/mypy

## The installed wheel, outside the checkout: profile, init and the demo (.ci/wheel-check).
wheel-check: setup
	PY=$(BIN)/python .ci/wheel-check

## Everything CI runs: lint (ruff, import layers, mypy), the wheel outside the checkout, the whole test
## suite (incl. the model evaluation gate, the browser test, the reports printed through LibreOffice,
## and the Elasticsearch regression run on the noida-db emulator, which the tests start and stop).
test: setup browser-deps report-deps lint wheel-check
	$(BIN)/pytest

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

eval: setup
	$(BIN)/giamsat eval

bench: setup
	for b in benchmarks/*.py; do echo "== $$b"; PYTHONPATH=tests $(BIN)/python $$b || exit 1; done

## Prove a real Elasticsearch cluster in a few minutes (docs/scale.md §8): the contract suite, then
## `giamsat es check` (migrate both ways, process with a claim present, every report, the dashboard
## queries, the retry queue) on a fresh prefix, and one pass/fail table. Needs ELASTICSEARCH_URL
## (and ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD or ELASTICSEARCH_API_KEY, ELASTICSEARCH_CA_CERTS).
ES_CHECK_JUNIT ?= $(or $(TMPDIR),/tmp)/giamsat-es-contract.xml
es-check: setup
	@test -n "$$ELASTICSEARCH_URL" || { echo "set ELASTICSEARCH_URL=https://host:9200 first (docs/scale.md)"; exit 2; }
	-$(BIN)/python -m pytest -q -p no:cacheprovider -m requires_es tests/storage --junitxml=$(ES_CHECK_JUNIT)
	GIAMSAT_STORE="$$ELASTICSEARCH_URL" $(BIN)/giamsat es check --contract-junit $(ES_CHECK_JUNIT)

## The same against the CI emulator (noida-db, reports ES 8.15.3; NOT Elasticsearch): a rehearsal.
es-check-emulator: setup
	PYTHONPATH=tests $(BIN)/python -m support.es_emulator $(MAKE) es-check GIAMSAT_ES_SKIP_VERSION_CHECK=1
