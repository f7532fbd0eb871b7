# Two commands for a fresh clone (Python 3.11+): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ADDRESS ?= 127.0.0.1:8000

.PHONY: run test system-deps fuzz format clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $@ $(VENV)/.installed-run

## Prepare the demo (migrate, sample lesson and questions, demo accounts) and serve it.
## DEBUG stays off, so the demo accounts (published passwords) are asked for explicitly.
run: $(VENV)/.installed-run
	$(PY) manage.py setup_demo --demo-accounts
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Serving on http://$(ADDRESS)/  (Ctrl+C to stop)"
	$(PY) manage.py runserver $(ADDRESS)

## Chromium (browser tests) and Java (HTML validator): installed when missing (as root with
## apt-get), or one line saying what to install. Instant when both are there.
system-deps:
	@scripts/ensure-system-deps

## The whole suite: lint, unit, HTTP and browser tests (system packages checked first).
test: system-deps $(VENV)/.installed-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

## Long property-based fuzz run: ≥ 1,000 random/malformed requests per endpoint.
fuzz: $(VENV)/.installed-test
	FUZZ_PROFILE=long $(PY) -m pytest tests/security/test_fuzz.py -q

format: $(VENV)/.installed-test
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean:
	rm -rf $(VENV) staticfiles test-artifacts .pytest_cache .ruff_cache *.egg-info
