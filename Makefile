# sopsite — two commands: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/sopsite
export SECRET_KEY ?= insecure-local-key-for-make-targets-only-change-me-in-production

# A Python >= 3.12: the version in .python-version first (pyenv's or on PATH), then any 3.13/3.12.
define find_python
want=$$(cat .python-version 2>/dev/null); \
for c in "$$(command -v pyenv >/dev/null && pyenv root 2>/dev/null)/versions/$$want/bin/python" \
         $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$$want*/bin/python 2>/dev/null) \
         python$$want python3.13 python3.12 \
         $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[3-9]*/bin/python $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python 2>/dev/null) \
         python3; do \
  p=$$(command -v "$$c" 2>/dev/null) || continue; \
  if "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then echo "$$p"; exit 0; fi; \
done; exit 1
endef

.PHONY: help install run test lint test-sqlite test-postgres chromium pdf-libs bench clean

help:
	@echo "make run    install, migrate, load demo data, start web + worker + back-office simulator"
	@echo "make test   lint, migrations check, tests on SQLite and (CI or DATABASE_URL) PostgreSQL"

$(VENV)/.installed: requirements.txt
	@py=$$($(find_python)) || { echo "error: sopsite needs Python >= 3.12 (see .python-version)."; \
	  echo "       Install one (for example with pyenv: 'pyenv install 3.13') and run make again."; exit 1; }; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	  echo "Creating $(VENV) with $$py"; rm -rf $(VENV); "$$py" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

install: $(VENV)/.installed

# SOP_WEBHOOK_ALLOW_PRIVATE: the built-in back-office simulator listens on 127.0.0.1, an address
# webhooks may not go to otherwise. runstack exits non-zero, naming it, when any of its children dies.
run: install pdf-libs
	DEBUG=true $(PY) manage.py migrate --no-input
	DEBUG=true $(PY) manage.py seed_demo
	SOP_WEBHOOK_ALLOW_PRIVATE=true DEBUG=true $(PY) manage.py runstack --port $(PORT)

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "Installing Chromium from Debian for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || { echo "error: could not install chromium"; exit 1; }; \
	  else echo "note: /usr/bin/chromium is missing and we are not root; browser tests will be skipped"; fi; \
	fi

# WeasyPrint (the PDFs of quotes, orders and invoices) draws text with Pango and HarfBuzz from Debian.
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libharfbuzz0b fonts-dejavu-core
pdf-libs:
	@missing=$$(for p in $(PDF_LIBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "Installing $$missing from Debian for the PDFs"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || { echo "error: could not install $$missing"; exit 1; }; \
	  else echo "note: $$missing missing and we are not root; PDFs (and their tests) will fail"; fi; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/bandit -q -r orders settings_app sopsite -ll
	$(PY) manage.py makemigrations --check --dry-run

test: install chromium pdf-libs lint test-sqlite test-postgres

test-sqlite: install
	env -u DATABASE_URL $(VENV)/bin/pytest -q -n 2 --dist loadgroup

# PostgreSQL: mandatory under CI=true (the local server), otherwise only when DATABASE_URL names one.
test-postgres: install
	@url="$${DATABASE_URL:-}"; \
	if [ "$${CI:-}" = "true" ] && [[ "$$url" != postgres* ]]; then url="$(PG_URL)"; fi; \
	if [[ "$$url" != postgres* ]]; then echo "PostgreSQL pass skipped (set DATABASE_URL=postgres://... or CI=true)"; exit 0; fi; \
	if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && [ "$${CI:-}" = "true" ] && command -v pg_ctlcluster >/dev/null; then \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start || true; sleep 2; fi; \
	echo "PostgreSQL pass on $$url"; \
	DATABASE_URL="$$url" $(VENV)/bin/pytest -q -n 2 --dist loadgroup

# One table of figures against their floors or baselines, measured in the same run: pricing at
# 1–2000 lines, lists at 100k vs 1k orders, the webhook worker vs a plain POST loop, seed time,
# peak RSS (SQLite; DATABASE_URL for PostgreSQL). Builds and drops its own databases; see
# docs/benchmarks.md.
bench: install
	$(VENV)/bin/pytest -q -s -p no:xdist -m benchmark tests/benchmarks

clean:
	rm -rf $(VENV) var
