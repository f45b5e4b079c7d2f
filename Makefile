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

.PHONY: help setup synth ls deploy test lint typecheck unit cfn-lint checkov snapshots docs diagrams \
	bench cost cost-docs flows graphviz clean localstack-setup deploy-local destroy-local e2e scale package

help:
	@echo "make synth   set up, synthesize every example stack into cdk.out/ and print the compliance summary"
	@echo "make ls      list the example stacks with their one-line descriptions"
	@echo "make deploy STACK=Name  deploy one example stack to your AWS account"
	@echo "make test    set up, then lint, type-check, unit, package and scale tests, cfn-lint and checkov"
	@echo "make docs    regenerate docs/compliance.md from the synthesized example app, and docs/messaging-checks.md"
	@echo "make cost    synthesize, then print each example stack's billed quantities (REGION=eu-west-1: priced from AWS's price list)"
	@echo "make cost-docs  regenerate docs/cost.md (each pattern's defaults and each example stack)"
	@echo "make diagrams  regenerate the pattern diagrams docs/diagrams/*.png (needs Graphviz)"
	@echo "make flows   synthesize, then draw each example stack's message flows into docs/flows/ (python -m patterns.flows)"
	@echo "make snapshots  rewrite the example-stack snapshots after an intended change"
	@echo "make bench   time imports, synth against hand-written equivalents, fan-out scale and the suite; writes BENCHMARKS.md"
	@echo "make clean   remove build output (keeps the virtualenvs and node_modules)"
	@echo "make deploy-local   start LocalStack on 127.0.0.1:4566, deploy the examples with cdk, print outputs"
	@echo "make destroy-local  destroy the local stacks and stop LocalStack"
	@echo "make e2e     end-to-end tests: start LocalStack, deploy with cdk, prove the messages flow, stop it"

$(VENV)/.stamp: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt $(PIP_QUIET)
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

node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.stamp node_modules/.stamp

synth: setup
	rm -rf cdk.out
	$(CDK) synth --quiet
	$(PY) -m tools.compliance cdk.out

# `cdk ls` prints stack names only (the CLI has no description column): this prints both,
# from the synthesized templates, after listing them with the CLI itself.
ls: synth
	$(CDK) ls -a cdk.out
	$(PY) -m tools.compliance --list cdk.out

# Deploy one example to the AWS account of your credentials (never run by make test or CI).
deploy: setup
	@test -n "$(STACK)" || { echo "usage: make deploy STACK=<name from make ls>" >&2; exit 2; }
	$(CDK) deploy $(STACK)

lint: $(VENV)/.stamp
	ruff check .
	ruff format --check .

typecheck: $(VENV)/.stamp
	mypy

# A worker per core; a test file runs whole on one worker (--dist loadfile), so the templates
# a module synthesizes once in a fixture are not synthesized again on the other worker.
unit: setup graphviz
	REQUIRE_GRAPHVIZ=1 $(PY) -m pytest -q -n auto --dist loadfile -m "not e2e and not scale and not package"

# The distribution: a wheel built from a clean copy, and what each import loads, each in a
# fresh interpreter (a second each); kept out of the unit suite like the scale tests.
package: setup
	$(PY) -m pytest -q -n auto -m package

# The 1,000-subscriber fan-out: its templates within CloudFormation's limits, cfn-lint clean.
# Kept out of the unit suite, whose speed target it would take most of.
scale: setup
	$(PY) -m pytest -q -m scale

cfn-lint: synth
	cfn-lint --format parseable -- cdk.out/*.template.json

checkov: synth $(CHECKOV_VENV)/.stamp
	$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml

test: lint typecheck unit package scale cfn-lint checkov

snapshots: setup
	UPDATE_SNAPSHOTS=1 $(PY) -m pytest -q tests/test_examples.py -k snapshot

docs: synth
	$(PY) -m tools.compliance --markdown cdk.out > docs/compliance.md
	$(PY) -m tools.messaging_checks_doc > docs/messaging-checks.md
	$(PY) -m tools.not_emulated

# Fixed monthly cost and billable units per million messages, read from the templates
# (python -m patterns.cost works on any synthesized assembly).
cost: synth
	$(PY) -m patterns.cost cdk.out $(if $(REGION),--region $(REGION))

cost-docs: setup
	$(PY) -m tools.cost_doc > docs/cost.md.tmp
	mv docs/cost.md.tmp docs/cost.md

# A few minutes on an idle machine; numbers are medians, BENCHMARKS.md is committed.
bench: setup
	$(PY) benchmarks/bench.py --output BENCHMARKS.md

# Graphviz's dot renders the diagrams and the flow pictures (and the unit tests render one):
# installed with apt-get when missing and we are root.
graphviz:
	@command -v dot >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz; \
		else \
			echo "this target needs Graphviz's dot: apt-get install graphviz (or brew install graphviz)" >&2; \
			exit 1; \
		fi; \
	}

diagrams: $(VENV)/.stamp-docs graphviz
	$(PY) docs/diagrams/generate.py

# The message flows of every example stack, drawn from the synthesized templates by
# python -m patterns.flows (docs/flows/; the README and pattern pages show them).
flows: synth graphviz
	$(PY) -m tools.flows_doc cdk.out

clean:
	rm -rf cdk.out .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info

# Local deployment on LocalStack (host mode, no Docker, bound to 127.0.0.1); all of its state
# lives under .local/. See scripts/localstack/ and the README section "Try the patterns locally".
LOCALSTACK := scripts/localstack

localstack-setup: setup
	$(LOCALSTACK)/setup.sh

deploy-local: localstack-setup
	$(LOCALSTACK)/start.sh
	$(LOCALSTACK)/deploy.sh
	$(PY) -m tests.e2e.outputs .local/outputs.json
	@echo "LocalStack keeps running on http://127.0.0.1:4566 (source $(LOCALSTACK)/cdk-env.sh to use"
	@echo "the aws CLI, boto3 or cdk against it); make destroy-local removes the stacks and stops it."

destroy-local:
	@if curl -fsS --max-time 2 http://127.0.0.1:4566/_localstack/health >/dev/null 2>&1 \
		&& [ -f .local/localstack/localstack.pid ]; then \
		source $(LOCALSTACK)/cdk-env.sh && \
		$(CDK) destroy --force --output .local/cdk.out.local $$(grep -v -e '^#' -e '^$$' $(LOCALSTACK)/stacks.txt); \
	fi
	$(LOCALSTACK)/stop.sh

# The suite starts LocalStack (unless it already runs), deploys with the CDK CLI and stops what
# it started when it ends, pass or fail (tests/e2e/conftest.py).
e2e: localstack-setup
	$(PY) -m pytest -q -m e2e tests/e2e
