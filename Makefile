# Rencontres — the two commands of the README, and a few helpers.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PORT ?= 8000
# System packages the browser and PDF tests use (Debian names).
SYSTEM_PACKAGES := chromium poppler-utils zbar-tools fonts-dejavu-core gettext

.PHONY: demo test test-fast lint format system-deps serve clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## make demo: install, migrate, load the demo rencontre and serve it on port $(PORT) of the local
## network (phones on the same wifi join by the QR code; http://127.0.0.1:$(PORT) on this
## computer) with the background worker beside uvicorn; Ctrl-C stops both.
## FRESH=1 starts from a new, empty demo rencontre; LOCAL=1 serves this computer only.
demo: $(STAMP)
	@set -e; export DEBUG=1; \
	eval "$$($(BIN)/python manage.py demo --serve-env --port $(PORT) $(if $(LOCAL),--local))"; \
	export PUBLIC_URL ALLOWED_HOSTS CSRF_TRUSTED_ORIGINS; \
	$(BIN)/python manage.py migrate --noinput -v0; \
	$(BIN)/python manage.py demo --json $(if $(FRESH),--fresh) >/dev/null; \
	$(BIN)/python manage.py demo_territory; \
	$(BIN)/python manage.py demo; \
	$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python -m uvicorn rencontres.asgi:application --host "$$DEMO_HOST" --port $(PORT) \
	  --lifespan off --timeout-graceful-shutdown 7 --ws-max-size 4096 --no-access-log

## make serve: the production recipe (deploy/serve.py): migrate, collectstatic, then one uvicorn
## worker per core (WORKERS=n overrides) on HOST:PORT and the task worker; needs SECRET_KEY,
## DATABASE_URL, REDIS_URL
serve: $(STAMP)
	$(BIN)/python deploy/serve.py --port $(PORT) $(if $(WORKERS),--workers $(WORKERS)) $(if $(HOST),--host $(HOST))

## make test: the whole suite (unit, live WebSocket, browser, services, security)
test: $(STAMP) system-deps
	$(BIN)/python -m pytest

## make test-fast: the unit tier only (no browser, no PostgreSQL/Redis, no full-size rencontre)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not browser and not services and not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Installs the Debian packages the browser tests need when they are missing (as root only;
# otherwise it says what to install).
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else echo "Missing system packages:$$missing — run: sudo apt-get install$$missing"; fi; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache staticfiles
