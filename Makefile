# One entry point for every job. Each target installs what it needs first and is
# idempotent: the second run only redoes what changed (stamp files track inputs).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
CHECKOV_VENV := .venv-checkov
PY := $(VENV)/bin/python

# The project's own Node (22, from package.json) and Python come first on PATH, so the
# CDK CLI and the jsii runtime behind aws-cdk-lib both run on a supported Node.
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export JSII_NODE := $(CURDIR)/node_modules/.bin/node
# Nothing leaves the machine: no CLI telemetry, no notices, no version check.
export CDK_DISABLE_CLI_TELEMETRY := true
export CDK_DISABLE_VERSION_CHECK := true
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# pip warns about every configured index folder that does not exist on this machine;
# that noise is not ours, so it is dropped (and only that line).
PIP_QUIET := 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
CDK := cdk --no-notices

.PHONY: help setup synth ls deploy check test lint typecheck unit cfn-lint checkov snapshots docs \
	diagrams bench cost cost-docs flows graphviz clean localstack-setup deploy-local destroy-local \
	e2e scale package docs-site chromium site-test

# Every target carries its line of `make help` after `## ` (tests/test_makefile.py checks that
# each target has one and that .PHONY lists them all).
help: ## list every target with what it does
	@awk -F ':[^#]*## ' '/^[a-z][a-z0-9-]*:.*## / { printf "make %-16s %s\n", $$1, $$2 }' $(firstword $(MAKEFILE_LIST))

# Graphviz's dot for the flow pictures (make flows, and the one picture the unit suite renders):
# graphviz-pure, pinned in requirements-dev.txt, a self-contained port of dot installed in the
# virtualenv as `graphviz-pure` (PyPI wheel, no system package). It is linked as `dot` in a
# folder that only those targets put first on PATH, so the pictures are the same bytes on every
# machine and a system Graphviz (make graphviz, for make diagrams) is left alone.
DOT_DIR := $(CURDIR)/$(VENV)/graphviz-pure
WITH_DOT := PATH=$(DOT_DIR):$$PATH

$(VENV)/.stamp: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt $(PIP_QUIET)
	mkdir -p $(DOT_DIR)
	ln -sf ../bin/graphviz-pure $(DOT_DIR)/dot
	touch $@

$(CHECKOV_VENV)/.stamp: requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements-checkov.txt $(PIP_QUIET)
	touch $@

# Only what the diagrams need (not the CDK): `make diagrams` works without `make setup`.
$(VENV)/.stamp-docs: requirements-docs.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-docs.txt $(PIP_QUIET)
	touch $@

# The documentation site's builder and its browser test's driver (make docs-site, make site-test).
$(VENV)/.stamp-site: requirements-site.txt $(VENV)/.stamp
	$(PY) -m pip install --quiet -r requirements-site.txt $(PIP_QUIET)
	touch $@

node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.stamp node_modules/.stamp ## create .venv and node_modules from the pinned requirements (no system package)

synth: setup ## synthesize every example stack into cdk.out/ and print the compliance summary
	rm -rf cdk.out
	$(CDK) synth --quiet
	$(PY) -m tools.compliance cdk.out

# `cdk ls` prints stack names only (the CLI has no description column): this prints both,
# from the synthesized templates, after listing them with the CLI itself.
ls: synth ## list the example stacks with their one-line descriptions
	$(CDK) ls -a cdk.out
	$(PY) -m tools.compliance --list cdk.out

# Deploy one example to the AWS account of your credentials (never run by make test or CI).
deploy: setup ## deploy one example stack to your AWS account: make deploy STACK=Name
	@test -n "$(STACK)" || { echo "usage: make deploy STACK=<name from make ls>" >&2; exit 2; }
	$(CDK) deploy $(STACK)

lint: $(VENV)/.stamp ## ruff check and ruff format --check
	ruff check .
	ruff format --check .

typecheck: $(VENV)/.stamp ## mypy --strict
	mypy

# A worker per core; a test file runs whole on one worker (--dist loadfile), so the templates
# a module synthesizes once in a fixture are not synthesized again on the other worker.
unit: setup ## the unit suite, a worker per core
	$(WITH_DOT) REQUIRE_GRAPHVIZ=1 $(PY) -m pytest -q -n auto --dist loadfile -m "not e2e and not scale and not package and not site"

# The distribution: a wheel built from a clean copy, and what each import loads, each in a
# fresh interpreter (a second each); kept out of the unit suite like the scale tests.
package: setup ## the wheel and what each import loads, in fresh interpreters
	$(PY) -m pytest -q -n auto -m package

# The 1,000-subscriber fan-out: its templates within CloudFormation's limits, cfn-lint clean.
# Kept out of the unit suite, whose speed target it would take most of.
scale: setup ## the 1,000-subscriber fan-out: templates within limits, cfn-lint clean
	$(PY) -m pytest -q -m scale

cfn-lint: synth ## cfn-lint over the synthesized example templates
	cfn-lint --format parseable -- cdk.out/*.template.json

checkov: synth $(CHECKOV_VENV)/.stamp ## checkov over the synthesized example app
	$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml

# The inner loop: lint, types and the unit suite; make test adds the slower package and scale
# tests, cfn-lint and checkov.
check: lint typecheck unit ## the inner loop: ruff, mypy --strict, the unit suite

test: check package scale cfn-lint checkov site-test ## make check, then package and scale tests, cfn-lint, checkov and the docs site in a browser (CI runs it)

snapshots: setup ## rewrite the example-stack snapshots after an intended change
	UPDATE_SNAPSHOTS=1 $(PY) -m pytest -q tests/test_examples.py -k snapshot

docs: synth ## regenerate docs/compliance.md, docs/messaging-checks.md, docs/testing.md's table and docs/reference/
	$(PY) -m tools.api_reference
	$(PY) -m tools.compliance --markdown cdk.out > docs/compliance.md
	$(PY) -m tools.messaging_checks_doc > docs/messaging-checks.md
	$(PY) -m tools.not_emulated

# Fixed monthly cost and billable units per million messages, read from the templates
# (python -m patterns.cost works on any synthesized assembly).
cost: synth ## print each example stack's billed quantities (REGION=eu-west-1: priced from AWS's price list)
	$(PY) -m patterns.cost cdk.out $(if $(REGION),--region $(REGION))

cost-docs: setup ## regenerate docs/cost.md (each pattern's defaults and each example stack)
	$(PY) -m tools.cost_doc > docs/cost.md.tmp
	mv docs/cost.md.tmp docs/cost.md

# The documentation site (mkdocs.yml): docs/, the README as its home page, and the API reference
# that mkdocstrings renders from the docstrings. --strict: a broken link, anchor or reference
# fails the build. Material for MkDocs prints a notice about its own end of life (May 2027) on
# every build; NO_MKDOCS_2_WARNING is its documented switch for that notice.
# Not --quiet: MkDocs counts the warnings that --strict fails on only at its usual verbosity, so
# with --quiet a broken link passes. Its progress lines (INFO) are dropped instead.
docs-site: $(VENV)/.stamp-site ## build the documentation site and its API reference into site/ (a broken link fails)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict 2>&1 | { grep -v '^INFO ' || true; }

# Debian's Chromium for the site's browser test: an explicit step like make graphviz, which
# make site-test runs first. apt-get as root, else it says what to run.
chromium: ## install Debian's Chromium that make site-test drives (apt-get, as root)
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			log=$$(mktemp); \
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends chromium; } >"$$log" 2>&1 || { cat "$$log" >&2; exit 1; }; \
		else \
			echo "install Chromium: apt-get install chromium" >&2; \
			exit 1; \
		fi; \
	}

site-test: docs-site chromium ## open every page of the built site in headless Chromium; screenshots in build/screenshots/
	$(PY) -m pytest -q -m site tests/site

# A few minutes on an idle machine; numbers are medians, BENCHMARKS.md is committed.
bench: setup ## synth time and jsii round trips against hand-written equivalents, fan-out scale, suite time: BENCHMARKS.md
	$(PY) benchmarks/bench.py --output BENCHMARKS.md

# The pattern diagrams (the diagrams package) need a system Graphviz with its image support:
# an explicit step, never run by another target. apt-get as root, else it says what to run.
graphviz: ## install the system Graphviz that make diagrams needs (apt-get, as root)
	@command -v dot >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz; \
		else \
			echo "install Graphviz: apt-get install graphviz (or brew install graphviz)" >&2; \
			exit 1; \
		fi; \
	}

diagrams: $(VENV)/.stamp-docs ## regenerate the pattern diagrams docs/diagrams/*.png (needs make graphviz first)
	@command -v dot >/dev/null || { echo "make diagrams needs Graphviz's dot: make graphviz" >&2; exit 1; }
	$(PY) docs/diagrams/generate.py

# The message flows of every example stack, drawn from the synthesized templates by
# python -m patterns.flows (docs/flows/; the README and pattern pages show them).
flows: synth ## draw each example stack's message flows into docs/flows/ (python -m patterns.flows)
	$(WITH_DOT) $(PY) -m tools.flows_doc cdk.out

clean: ## remove build output (keeps the virtualenvs and node_modules)
	rm -rf site cdk.out .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info

# Local deployment on LocalStack (host mode, no Docker, bound to 127.0.0.1); all of its state
# lives under .local/. See scripts/localstack/ and the CONTRIBUTING.md section "Try the patterns locally".
LOCALSTACK := scripts/localstack

localstack-setup: setup ## install the pinned LocalStack into .local/
	$(LOCALSTACK)/setup.sh

deploy-local: localstack-setup ## start LocalStack on 127.0.0.1:4566, deploy the examples with cdk, print outputs
	$(LOCALSTACK)/start.sh
	$(LOCALSTACK)/deploy.sh
	$(PY) -m tests.e2e.outputs .local/outputs.json
	@echo "LocalStack keeps running on http://127.0.0.1:4566 (source $(LOCALSTACK)/cdk-env.sh to use"
	@echo "the aws CLI, boto3 or cdk against it); make destroy-local removes the stacks and stops it."

destroy-local: ## destroy the local stacks and stop LocalStack
	@if curl -fsS --max-time 2 http://127.0.0.1:4566/_localstack/health >/dev/null 2>&1 \
		&& [ -f .local/localstack/localstack.pid ]; then \
		source $(LOCALSTACK)/cdk-env.sh && \
		$(CDK) destroy --force --output .local/cdk.out.local $$(grep -v -e '^#' -e '^$$' $(LOCALSTACK)/stacks.txt); \
	fi
	$(LOCALSTACK)/stop.sh

# The suite starts LocalStack (unless it already runs), deploys with the CDK CLI and stops what
# it started when it ends, pass or fail (tests/e2e/conftest.py).
e2e: localstack-setup ## end-to-end tests: start LocalStack, deploy, prove the messages flow, stop it
	$(PY) -m pytest -q -m e2e tests/e2e
