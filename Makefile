# materiel: `make demo` starts a demo on SQLite; `make test` runs the whole suite on SQLite and PostgreSQL.
VENV ?= .venv
BIN := $(VENV)/bin
export MATERIEL_DATA_DIR ?= $(CURDIR)/data

.PHONY: demo test lint test-sqlite test-postgres system-deps install install-test verify clean bench messages

$(VENV)/.installed: pyproject.toml constraints.txt
	scripts/venv.sh $(VENV)
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt
	scripts/venv.sh $(VENV) test
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

system-deps:
	scripts/system-deps.sh

## Set up the SQLite database, load the demo data set (first run only) and serve on 127.0.0.1:8000.
demo: install
	$(BIN)/materiel demo

## The whole suite, on SQLite and then on a throwaway PostgreSQL cluster.
test: install-test system-deps
	@date -u +"== %T lint"
	$(MAKE) lint
	@date -u +"== %T SQLite"
	$(MAKE) test-sqlite
	@date -u +"== %T PostgreSQL"
	$(MAKE) test-postgres
	@date -u +"== %T done"

lint: install-test
	$(BIN)/ruff check materiel tests
	$(BIN)/ruff format --check materiel tests
	$(BIN)/mypy

test-sqlite: install-test
	$(BIN)/pytest

test-postgres: install-test
	scripts/with-postgres.sh $(BIN)/pytest

## BENCH.md's scenarios at 100k and 1M items on both databases into docs/benchmarks.md (the data sets
## are generated on first use, about an hour in all, and kept in data/bench).
## `make bench BENCH_ITEMS=100000` for one scale.
BENCH_ITEMS ?= 100000 1000000
bench: install system-deps
	for items in $(BENCH_ITEMS); do \
		MATERIEL_DEVTOOLS=1 nice -n 10 $(BIN)/materiel bench --items $$items --db sqlite && \
		MATERIEL_DEVTOOLS=1 nice -n 10 $(BIN)/materiel bench --items $$items --db postgres || exit 1; \
	done

## Refresh the English catalogue from the code, then compile it (translate what is new in between:
## docs/translation.md). Run from materiel/ so that only the package is scanned.
messages: install
	cd materiel && $(abspath $(BIN))/materiel makemessages -l en --no-obsolete --add-location file
	cd materiel && $(abspath $(BIN))/materiel compilemessages -l en

verify: install
	$(BIN)/materiel verify

clean:
	rm -rf $(VENV) data test-artifacts
