# Two commands from a fresh clone: `make run` (the whole service) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# Which databases `make test` runs the suite on; set TEST_DATABASES=sqlite to skip PostgreSQL.
TEST_DATABASES ?= sqlite postgresql

.PHONY: install run test lint typecheck bench demo clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/notifier db upgrade
	$(BIN)/notifier run --with-web

demo: $(STAMP)
	$(BIN)/notifier demo

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) lint typecheck
	@set -e; for db in $(TEST_DATABASES); do \
	  if [ "$$db" = sqlite ]; then url=""; else url="$(PG_TEST_URL)"; fi; \
	  echo "== test suite on $$db =="; \
	  TEST_DATABASE_URL="$$url" $(BIN)/pytest -q -p no:cacheprovider; \
	done

# Every benchmark in bench/ with its defaults (several minutes; figures go in docs/benchmarks.md).
bench: $(STAMP)
	@set -e; for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
