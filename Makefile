# Set-up and checks. `make demo` and `make test` work on a machine that has
# only python3 and make: they create .venv and install skseq into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint docs bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,docs]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/skseq compare

lint: $(STAMP)
	$(BIN)/ruff check skseq tests docs/conf.py benchmarks examples
	$(BIN)/ruff format --check skseq tests docs/conf.py benchmarks examples

# Two test processes (pytest-xdist): most tests are small Keras fits whose
# time is Python overhead on one core, so two share a 2-core machine well.
# Fixed at 2, not "auto": every process imports TensorFlow (~600 MB).
test: lint
	$(BIN)/python -m pytest -n 2

# The edit loop: no Keras fits, no TensorFlow import, no slow tests (seconds).
# No lint dependency, so that a half-formatted edit still gets its answer.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not keras and not slow"

docs: $(STAMP)
	$(BIN)/python -m sphinx -b html -W --keep-going docs docs/_build/html

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/bench_lesson.py
	$(BIN)/python benchmarks/bench_grid.py
	$(BIN)/python benchmarks/bench_scale.py
	$(BIN)/python benchmarks/bench_quality.py
	$(BIN)/python benchmarks/bench_intervals.py
	$(BIN)/python benchmarks/bench_panel.py | tee benchmarks/results_panel.txt
	$(BIN)/python benchmarks/bench_classical.py shipped --seeds 3
	$(BIN)/python benchmarks/bench_classical.py m3 --models classical
	$(BIN)/python benchmarks/bench_classical.py m3 --models networks --seeds 1
	$(BIN)/python benchmarks/bench_classical.py shipped --seeds 3 \
		--models 'ridge,dense,lstm,gru@window_length=season+1'
	$(BIN)/python benchmarks/bench_classical.py m3 --seeds 3 \
		--models 'ridge,dense,lstm,gru@window_length=season+1'
	$(BIN)/python benchmarks/bench_classical.py m3long --models classical
	$(BIN)/python benchmarks/bench_classical.py m3long --seeds 3 \
		--models 'ridge,dense,lstm,gru@window_length=season+1'
	$(BIN)/python benchmarks/bench_classical.py report

clean:
	rm -rf $(VENV) docs/_build .pytest_cache
