# Two commands do all set-up on a fresh machine with Python 3.10+: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: demo test build install clean bench eval readme

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

build: $(STAMP)
	$(BIN)/mlops-kg build --out build

demo: build
	@echo
	@echo "== Which tools does the guide name as alternatives to MLflow (either direction)?"
	$(BIN)/mlops-kg query alternatives --param tool=mlflow
	@echo
	@echo "== What could replace MLflow for us, on Azure, in Python, in a hospital?"
	$(BIN)/mlops-kg substitutes mlflow --provider azure --language python --industry healthcare --top 5
	@echo
	@echo "== Open build/site/index.html in a browser to explore the graph (works offline)."

# Two workers (pytest-xdist), each module on one of them (its module fixtures made once);
# TEST_WORKERS=0 runs the suite in this one process.
TEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadscope

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

eval: build
	$(BIN)/python benchmarks/eval/metrics.py --build build

clean:
	rm -rf build .pytest_cache

readme: $(STAMP)
	$(BIN)/python -m mlops_kg._reference --write README.md
