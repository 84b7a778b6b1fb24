# Serendip: `make` lists the targets.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE := serendip.settings

.DEFAULT_GOAL := help
.PHONY: help demo test lint check-deploy openapi bench clean messages

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	@command -v $(PY) >/dev/null 2>&1 || { echo "needs $(PY) on PATH (or make PY=/path/to/python3.11)"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

# The translations (nl, it): compiled from the committed .po files with Babel (pure Python), so a
# fresh clone serves them without GNU gettext; `make messages` refreshes the .po files.
MO := $(patsubst %.po,%.mo,$(wildcard serendip/locale/*/LC_MESSAGES/django.po))
serendip/locale/%/LC_MESSAGES/django.mo: serendip/locale/%/LC_MESSAGES/django.po | $(VENV)/.installed
	$(BIN)/pybabel -q compile -i $< -o $@

var/secret_key:
	@mkdir -p var
	@$(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@chmod 600 $@

DEMO_ENV := DEBUG=true SECRET_KEY_FILE=var/secret_key DATABASE_URL=sqlite:///var/serendip.sqlite3

demo: $(VENV)/.installed $(MO) var/secret_key ## create .venv, migrate, seed the demo network and serve it on :8000 (with a ledger witness and the worker)
	$(DEMO_ENV) $(BIN)/serendip migrate --no-input -v 0
	$(DEMO_ENV) $(BIN)/serendip demo
	$(DEMO_ENV) $(BIN)/serendip simulate --scale demo --skip-if-present
	@echo "Serving http://127.0.0.1:8000/  (API docs: http://127.0.0.1:8000/api/v1/docs; Ctrl-C stops)"
	@echo "The worker runs beside it (notifications, email, periodic jobs); emails: http://127.0.0.1:8000/outbox/"
	$(DEMO_ENV) sh scripts/demo-with-witness.sh $(BIN) 127.0.0.1:8000  # + the demo's ledger witness

# Tests run under production settings (DEBUG off) with a throwaway secret, over plain HTTP
# (the test client and the browser tests' live server speak no TLS).
TEST_ENV := SECRET_KEY=test-only-not-secret DEBUG=false STATIC_MANIFEST=false SECURE_SSL_REDIRECT=false SECURE_HSTS_SECONDS=0

# Two test processes (the machine's cores; each has its own test database: in memory on SQLite,
# test_<name>_gw0/1 on PostgreSQL); the schemathesis tests stay together (xdist_group).
PYTEST_PARALLEL := -n 2 --dist loadgroup
# Branch coverage of the SQLite run, with a floor a little below today's (see README "Tests").
COVERAGE := --cov=serendip --cov-branch --cov-report=term:skip-covered --cov-fail-under=91

test: $(VENV)/.installed $(MO) ## lint, import contracts, migration check, the suite on SQLite, then on PostgreSQL if DATABASE_URL is set
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	env -u DATABASE_URL $(TEST_ENV) $(BIN)/serendip makemigrations --check --dry-run -v 0
	env -u DATABASE_URL $(TEST_ENV) $(BIN)/pytest -q $(PYTEST_PARALLEL) $(COVERAGE)
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$DATABASE_URL)"; \
		$(TEST_ENV) $(BIN)/pytest -q $(PYTEST_PARALLEL); \
	else echo "DATABASE_URL not set: PostgreSQL run skipped"; fi

lint: $(VENV)/.installed ## ruff and the import contracts
	$(BIN)/ruff check .
	$(BIN)/lint-imports

check-deploy: $(VENV)/.installed ## Django's deployment checks under production settings
	SECRET_KEY=$$($(PY) -c "import secrets; print(secrets.token_urlsafe(50))") ALLOWED_HOSTS=serendip.example \
		$(BIN)/serendip check --deploy --fail-level WARNING

clean: ## remove the venv and local data
	rm -rf $(VENV) var *.egg-info

openapi: $(VENV)/.installed ## regenerate docs/openapi.json (the checked API contract)
	$(TEST_ENV) $(BIN)/python -c "import django, json; django.setup(); from serendip.api import api; \
		print(json.dumps(api.get_openapi_schema(path_prefix='/api/v1/'), indent=2, sort_keys=True))" > docs/openapi.json

messages: $(VENV)/.installed ## refresh the nl and it catalogues from the marked strings (then translate what is new)
	cd serendip && $(TEST_ENV) ../$(BIN)/serendip makemessages -l nl -l it --no-location --no-obsolete --no-wrap -i "static/*" -v 0

bench: $(VENV)/.installed ## all benchmarks at seed scale (minutes; SQLite + PostgreSQL) -> benchmarks/results/latest.json
	$(BIN)/python benchmarks/run_all.py $(BENCH_ARGS)
