# Two commands do all the set-up on a fresh machine: `make serve` and `make test`.
# Each bootstraps .venv (and, for tests, Debian's Chromium) first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Serving needs only the core install; tests add the extras (lab, test, authoring, research).
SERVE_STAMP := $(VENV)/.serve-stamp
TEST_STAMP  := $(VENV)/.test-stamp

.PHONY: serve test bench screens clips-sheet intelligibility chromium clean hub

# `venv` re-runs every time a stamp is stale, so a first attempt that failed half-way recovers.
$(SERVE_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[lab,test,authoring,research,hub]'
	touch $@ $(SERVE_STAMP)

# The trainee app: local ./workspace, Voilà on 127.0.0.1.
serve: $(SERVE_STAMP)
	$(BIN)/rupture serve

# A programme's JupyterHub on this machine, as root (deploy/local/, docs/hub.md); it sets
# itself up in /opt/rupture-hub (its own venv from Debian's python3, npm's proxy).
hub:
	deploy/local/run

# Browser tests drive Debian's Chromium (never a downloaded browser).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi; }

test: $(TEST_STAMP) chromium
	$(BIN)/python -m pytest

bench: $(TEST_STAMP) chromium
	$(BIN)/python -m bench

# docs/screens/*.png: every view of both apps at 1280 and 400 px, from the real servers.
screens: $(TEST_STAMP) chromium
	$(BIN)/python docs/screens/make_screens.py

# The contact sheet of posters in docs/clips.md, from clips/catalog.json (standard library only).
clips-sheet:
	$(PYTHON) docs/make_contact_sheet.py

# Transcribe every shipped clip offline (PocketSphinx) and score the word error rate.
# LM=default (PocketSphinx's general English), library or others: see docs/clips.md.
LM ?= default
intelligibility: $(TEST_STAMP)
	$(BIN)/python -m rupture_widgets.authoring.intelligibility --lm $(LM)

clean:
	rm -rf $(VENV) build *.egg-info
