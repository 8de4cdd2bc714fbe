# Two commands for a fresh machine: `make demo` and `make test`. Every install step lives here.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
DEMO   := .demo
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo lab test bench install lint lint-py lint-ts clean

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# The package with its demo and test dependencies, installed as users get it (not editable):
# building the wheel builds the JupyterLab sidebar from labextension/ (Node.js, jlpm) and installs
# it with the server extension's config. Re-run whenever a Python or sidebar source changes.
INSTALL_SOURCES := pyproject.toml install.json \
	$(shell find jupyter_expjournal jupyter-config -name '*.py' -o -name '*.json' -not -path '*/labextension/*') \
	labextension/package.json labextension/yarn.lock labextension/tsconfig.json labextension/.yarnrc.yml \
	$(wildcard labextension/src/* labextension/style/* labextension/schema/*)
$(VENV)/.installed: $(INSTALL_SOURCES) | $(PY)
	flock $(VENV)/.install.lock $(PIP) install -q '.[demo,test]'
	touch $@

install: $(VENV)/.installed

## demo: execute notebooks/01-quickstart.ipynb into .demo/ and print the journal it wrote
demo: install
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	EXPJOURNAL_DIR=$(CURDIR)/$(DEMO)/experiments $(VENV)/bin/jupyter nbconvert --to notebook --execute \
		--ExecutePreprocessor.timeout=600 notebooks/01-quickstart.ipynb --output-dir $(DEMO) --log-level WARN
	@echo; echo "==== $(DEMO)/experiments/journal.md ===="; cat $(DEMO)/experiments/journal.md
	@echo; echo "==== $(DEMO)/experiments/lessons.md ===="; cat $(DEMO)/experiments/lessons.md
	@echo; echo "Executed notebook: $(DEMO)/01-quickstart.ipynb. Open it with: make lab"

## lab: open JupyterLab on the demo notebook, the sidebar showing the demo journal in .demo/
lab: install
	EXPJOURNAL_DIR=$(CURDIR)/$(DEMO)/experiments $(VENV)/bin/jupyter lab notebooks/01-quickstart.ipynb $(if $(filter 0,$(shell id -u)),--allow-root,)

# Debian's Chromium for the browser tests (Playwright is told to use it; it downloads no browser).
$(CHROMIUM):
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium

## test: the linters, then every test, the demo notebooks under nbval included
test: lint | $(CHROMIUM)
	env -u EXPJOURNAL_DIR $(PY) -m pytest tests notebooks \
		--nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

## lint: ruff for the Python, prettier + eslint + tsc --noEmit for the TypeScript
## (the import graph is checked by tests/test_architecture.py)
lint: lint-py lint-ts

lint-py: install
	$(VENV)/bin/ruff check jupyter_expjournal tests benchmarks

## lint-ts: prettier, eslint and tsc --noEmit on the sidebar's TypeScript (labextension/), with
## the venv's jlpm (on PATH: the package scripts call jlpm) and the committed yarn.lock
lint-ts: install
	cd labextension && export PATH="$(abspath $(VENV))/bin:$$PATH" && \
		jlpm install --immutable && jlpm lint:check

## bench: speed and memory against baselines measured in the same run
bench: install
	$(PY) benchmarks/run.py

clean:
	rm -rf $(DEMO) build dist *.egg-info
