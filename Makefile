# E-commerce analytics pipeline. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
RUNTIME_STAMP := $(VENV)/.installed-runtime
CLASS_ARCHIVE := $(VENV)/.class-archive
DEMO_RAW := data/raw/demo
DEMO_LAKE := data/lake
DEMO_ROWS ?= 1000000
DEMO_MONTHS ?= 3
NOTEBOOKS_OUT := data/notebooks
CHECKOV_VENV := .venv-checkov
export CHECKOV_BIN := $(abspath $(CHECKOV_VENV)/bin/checkov)
export PYSPARK_PYTHON := $(abspath $(BIN)/python)
export SPARK_LOCAL_IP := 127.0.0.1

.DEFAULT_GOAL := help
BENCH_LAKE ?= benchmarks/out/lake-spark-20000000
BENCH_REPEAT ?= 1
PROFILE_SIZES ?= 5000000,20000000
PROFILE_RAW ?= benchmarks/out/profile-raw-5000000/events.csv
PROFILE_ARGS ?=

.PHONY: help venv java class-archive checkov chromium synth deploy-check demo demo-retail views dashboard golden screenshots notebooks test test-fast lint format bench bench-incremental bench-retail profile profile-jfr bench-views bench-dashboard clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

venv: $(STAMP) ## Create .venv and install the project with its dev dependencies

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,query,dashboard]'
	touch $(STAMP) $(RUNTIME_STAMP)

# `make demo` needs only the jobs and the local query engine, not the test and infra tools.
$(RUNTIME_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[query,dashboard]'
	touch $(RUNTIME_STAMP)

java: ## Install Java 17 (Debian openjdk-17-jre-headless) when missing
	@scripts/ensure_java.sh

class-archive: $(CLASS_ARCHIVE) ## Archive Spark's classes for the local JVM (each local run starts ~3 s faster)

$(CLASS_ARCHIVE): $(RUNTIME_STAMP) | java
	$(BIN)/ecom class-archive
	touch $@

checkov: $(CHECKOV_VENV)/.installed ## Install checkov in its own venv (its pins clash with the CDK's)

$(CHECKOV_VENV)/.installed:
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet checkov==3.3.30
	touch $@

synth: venv ## Synthesize the dev stack (with cdk-nag) into cdk.out/
	$(BIN)/python infra/app.py

INFRA_STAMP := $(VENV)/.installed-infra
$(INFRA_STAMP): pyproject.toml $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[query,dashboard,infra]'
	touch $@

deploy-check: $(INFRA_STAMP) ## Install the infra extra and synthesize the dev stack: what `ecom deploy` would create
	$(BIN)/ecom deploy --stage dev --dry-run

demo: $(RUNTIME_STAMP) java ## Generate ~1M events over 3 months and run the pipeline on local Spark
	rm -rf $(DEMO_RAW)
	$(BIN)/ecom generate --out $(DEMO_RAW) --rows $(DEMO_ROWS) --months $(DEMO_MONTHS)
	$(BIN)/ecom run --raw $(DEMO_RAW) --lake $(DEMO_LAKE) --full-refresh
	@echo; echo "KPIs (the Athena views, run on the local engine):"
	@$(BIN)/ecom query "select * from kpi_summary" --lake $(DEMO_LAKE)
	@$(BIN)/ecom query "select year_month, orders, buyers, revenue, average_order_value, revenue_growth from monthly_revenue" --lake $(DEMO_LAKE)

RETAIL_DAYS ?= ../shared/data/online_retail/by-day
RETAIL_LAKE := data/lake-retail
demo-retail: $(RUNTIME_STAMP) java ## Run the pipeline on Online Retail invoice lines (RETAIL_DAYS, one CSV per day) and print the KPIs
	@test -d "$(RETAIL_DAYS)" || { echo "no Online Retail days at $(RETAIL_DAYS): set RETAIL_DAYS=<folder of one CSV per day>"; exit 2; }
	$(BIN)/ecom run --raw $(RETAIL_DAYS) --lake $(RETAIL_LAKE) --full-refresh
	@echo; echo "KPIs (the Athena views, run on the local engine):"
	@$(BIN)/ecom query "select gross_revenue, cancelled_revenue, net_revenue, transactions, cancellation_rate, average_order_value, total_customers from kpi_summary" --lake $(RETAIL_LAKE)
	@$(BIN)/ecom query "select country, revenue, customers, orders from revenue_by_country order by revenue desc limit 5" --lake $(RETAIL_LAKE)

views: $(RUNTIME_STAMP) ## Create or replace the SQL views on the demo lake
	$(BIN)/ecom views --lake $(DEMO_LAKE)

chromium: ## Install headless Chromium + chromedriver (Debian) for the dashboard browser test
	@scripts/ensure_chromium.sh

dashboard: $(RUNTIME_STAMP) ## Serve the local dashboard on the demo lake at http://127.0.0.1:8501
	$(BIN)/ecom dashboard --lake $(DEMO_LAKE)

golden: venv ## Rewrite the golden QuickSight definitions (tests/dashboard/golden/) from the spec; review the diff
	ECOM_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/dashboard/test_quicksight.py -k golden_snapshot

screenshots: venv java class-archive chromium ## Rewrite the dashboard screenshots (docs/img/) from the browser tests' lakes; review the diff
	ECOM_SCREENSHOTS=docs/img $(BIN)/python -m pytest -q tests/dashboard/test_browser.py

notebooks: venv ## Run the notebooks end to end on the demo lake (after make demo); executed copies in data/notebooks/
	$(BIN)/python scripts/run_notebooks.py --lake $(DEMO_LAKE) --out $(NOTEBOOKS_OUT)

test: venv java class-archive checkov chromium ## Run the test suite (unit, end-to-end, SQL, infra, dashboard, notebooks)
	$(BIN)/python -m pytest

# e2e: the tests that run the pipeline on local Spark, themselves or to build the lake they
# read (tests/conftest.py marks them); Spark itself still runs in the unit tests.
test-fast: venv java class-archive ## Run the tests without pipeline runs (unit, SQL files, infra, dashboard spec): pytest -m "not e2e"
	$(BIN)/python -m pytest -m "not e2e"

lint: venv ## Lint and check formatting
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv ## Format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: venv java class-archive ## Benchmark the pipeline against the DuckDB baseline (1M, 5M, 20M events)
	$(BIN)/python benchmarks/bench_pipeline.py

bench-incremental: venv java class-archive ## Add day 31 to a 30-day lake vs a full refresh of 31 days (42M events, one real month; BENCH_REPEAT=3 for 3 pairs)
	$(BIN)/python benchmarks/bench_incremental.py --repeat $(BENCH_REPEAT)

bench-retail: venv java class-archive ## Wall time of `ecom run` on the 431,673 shared Online Retail lines (full, incremental, up to date)
	$(BIN)/python benchmarks/bench_retail.py

profile: venv java class-archive ## Where a full run's time goes, per part, from Spark's event log (5M, 20M events; PROFILE_SIZES=...)
	$(BIN)/python benchmarks/profile_pipeline.py --sizes $(PROFILE_SIZES)

profile-jfr: venv java class-archive ## Which Java methods a run's CPU goes to (JDK Flight Recorder; PROFILE_RAW=csv, PROFILE_ARGS=--ingest-only)
	@command -v jcmd >/dev/null && command -v jfr >/dev/null || { \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless >/dev/null; }
	$(BIN)/python benchmarks/jfr_profile.py $(PROFILE_RAW) $(PROFILE_ARGS)

bench-views: $(RUNTIME_STAMP) ## Per-view latency and Parquet bytes read on the 20M-event lake of `make bench`
	$(BIN)/python benchmarks/bench_views.py $(BENCH_LAKE)

bench-dashboard: $(RUNTIME_STAMP) ## First load of the local dashboard on the 20M-event lake of `make bench`
	$(BIN)/python benchmarks/bench_dashboard.py $(BENCH_LAKE)

clean: ## Remove the venv, the demo data and caches
	rm -rf $(VENV) $(CHECKOV_VENV) data cdk.out .pytest_cache .ruff_cache
