# Two commands set everything up on a fresh machine with Python 3.11:
#   make run    virtualenv + requirements, database upgrade, demo data, server on :5000
#   make test   the same plus test tools, lint, and the whole test suite

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
export FLASK_APP := wsgi

.PHONY: run test lint translations bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# Compiled message catalogues are build output, never committed.
translations: $(VENV)/.runtime
	@if [ -d survey_app/translations ]; then \
		$(BIN)/pybabel -q compile --use-fuzzy -d survey_app/translations; fi

run: $(VENV)/.runtime translations
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	@echo
	@echo "  Trang chủ (các đơn vị và đường dẫn khảo sát): http://$(HOST):$(PORT)/"
	@echo "  Đăng nhập cán bộ:                             http://$(HOST):$(PORT)/staff/login"
	@echo "  Đường dẫn khảo sát của từng quầy:             SURVEY_PUBLIC_BASE_URL=http://$(HOST):$(PORT) $(BIN)/flask counter-links"
	@echo
	SURVEY_SHOW_DEMO_LINKS=true SURVEY_PUBLIC_BASE_URL=http://$(HOST):$(PORT) \
		$(BIN)/flask run --host $(HOST) --port $(PORT)

lint: $(VENV)/.dev
	$(BIN)/ruff check .

test: $(VENV)/.dev translations lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.dev translations
	@for script in bench/bench_*.py; do echo "== $$script"; PYTHONPATH=. $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
