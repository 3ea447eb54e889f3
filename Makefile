# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := demo.db

.PHONY: install demo test lint format bench eval calibration clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=25.1'
	@# the package with both extras (tests run on PostgreSQL and serve the web UI) and the
	@# PEP 735 dev group (pytest, ruff, ...), which needs pip >= 25.1
	$(BIN)/python -m pip install --quiet -e '.[postgresql,web]' --group dev
	touch $@

demo: install
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/toolwatch crawl --demo --db sqlite:///$(DEMO_DB)
	$(BIN)/toolwatch tools --db sqlite:///$(DEMO_DB)
	@# an editor publishes two crawled tools; the comparison shows their published records
	printf 'demo-password\n' | $(BIN)/toolwatch editor add demo --password-stdin --db sqlite:///$(DEMO_DB)
	$(BIN)/toolwatch accept llama-3.1-8b --as demo --reason "demo" --db sqlite:///$(DEMO_DB)
	$(BIN)/toolwatch accept llama-3-8b --as demo --reason "demo" --db sqlite:///$(DEMO_DB)
	$(BIN)/toolwatch compare llama-3.1-8b llama-3-8b --format table --db sqlite:///$(DEMO_DB)
	@# Mixtral 8x22B vs Mistral Small 3 (24B), named by their Hub repos: catalog, price list,
	@# changelog and app catalogs joined on each; every value with the source and rule that picked it
	$(BIN)/toolwatch accept mistralai/Mixtral-8x22B-Instruct-v0.1 --as demo --reason "demo" --db sqlite:///$(DEMO_DB)
	$(BIN)/toolwatch accept mistralai/Mistral-Small-24B-Instruct-2501 --as demo --reason "demo" --db sqlite:///$(DEMO_DB)
	$(BIN)/toolwatch compare mistralai/Mixtral-8x22B-Instruct-v0.1 mistralai/Mistral-Small-24B-Instruct-2501 --format table --db sqlite:///$(DEMO_DB)

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

EVAL_SETS := eval/dev.jsonl eval/heldout.jsonl eval/heldout2.jsonl eval/heldout3.jsonl
EVAL_DOCS := eval/docs tests/fixtures/corpus

# Score the normalizer on every labeled set kept in the repository (documents in eval/docs
# and tests/fixtures/corpus; each blind round's own docs/); see eval/README.md for what
# each set is and which were blind when.
BLIND_SETS := $(sort $(wildcard eval/blind*/*/labels.jsonl))
eval: install
	@for set in $(EVAL_SETS); do echo "== $$set"; \
	  PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python eval/score.py --labels $$set \
	    $(addprefix --docs ,$(EVAL_DOCS)) || exit 1; done
	@for set in $(BLIND_SETS); do echo "== $$set"; \
	  PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python eval/score.py --labels $$set \
	    --docs $$(dirname $$set)/docs || exit 1; done

# Confidence bins against the labeled sets: writes eval/calibration.md.
calibration: install
	$(BIN)/python eval/calibration.py $(EVAL_SETS) $(addprefix --docs ,$(EVAL_DOCS)) --out eval/calibration.md

bench: install
	$(BIN)/python bench/normalize_corpus.py

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm .pytest_cache .ruff_cache
