"""The labs (book/labs/*.md): student notebooks without solutions, and every solution passing its
self-check (routerlab.book.labs) at a small scale, while wrong answers fail."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import routerlab.data.sources as src
from routerlab.book import labs as labcheck

ROOT = Path(__file__).resolve().parents[1]
LABS = ROOT / "book" / "labs"
PAGES = sorted(LABS.glob("[0-9][0-9]_*.md"))
#: Small parameters substituted into the labs' setup cells for the test run.
SMALL = {"SCALE": "0.03", "SEEDS": "2", "REAL_SCALE": "0.05"}
REAL_SOURCES = {"routerbench-subset", "llmrouter", "routellm", "mmlu-pro"}


# ---- reading a lab page --------------------------------------------------------------------------
def _blocks(text: str) -> list[tuple[str, bool]]:
    """Top-level ```python blocks of a lab page in order: (code, inside a solution?)."""
    out, in_solution = [], False
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if re.match(r"^`{3,}\{solution-start\}", line):
            in_solution = True
        elif re.match(r"^`{3,}\{solution-end\}", line):
            in_solution = False
        elif re.match(r"^```python\s*$", line):
            end = next(k for k in range(i + 1, len(lines)) if lines[k].strip() == "```")
            out.append(("\n".join(lines[i + 1:end]), in_solution))
            i = end
        i += 1
    return out


def _solution_lines(text: str) -> list[str]:
    """The non-trivial lines of every solution region (text and code) that do not also appear
    outside the solutions (a starter cell repeats the self-check line, for instance)."""
    inside_lines, outside_lines, inside = [], set(), False
    for line in text.splitlines():
        if re.match(r"^`{3,}\{solution-start\}", line):
            inside = True
            continue
        if re.match(r"^`{3,}\{solution-end\}", line):
            inside = False
            continue
        (inside_lines.append if inside else outside_lines.add)(line.strip())
    return [line for line in inside_lines
            if len(line) > 25 and line not in outside_lines and not line.startswith(("import ", "from "))]


def _small(code: str) -> str:
    for name, value in SMALL.items():
        code = re.sub(rf"^{name} = [^\n#]*", f"{name} = {value}", code, flags=re.M)
    return code


def _needed_sources(text: str) -> set[str]:
    return {m for m in re.findall(r'src\.load\("([\w-]+)"\)', text)} & REAL_SOURCES


# ---- the pages and the student build -------------------------------------------------------------
def test_there_is_a_lab_per_chapter():
    numbers = [p.name[:2] for p in PAGES]
    assert numbers[:8] == [f"{k:02d}" for k in range(1, 9)], numbers


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_lab_page_structure(page):
    text = page.read_text()
    labels = re.findall(r"^:label: (\S+)", text, flags=re.M)
    gated = re.findall(r"^`{3,}\{solution-start\} (\S+)", text, flags=re.M)
    assert labels and sorted(labels) == sorted(gated), "every exercise has exactly one solution"
    assert text.count("{solution-start}") == text.count("{solution-end}")
    assert "Instructor notes" in text
    assert re.search(r":class: dropdown", text[text.index("{solution-start}"):]), "solutions collapsed"
    ids = set(re.findall(r'labcheck\.check\("([\w.]+)"', text))
    assert ids and ids <= set(labcheck.exercises()), f"unknown check ids {ids - set(labcheck.exercises())}"


def test_student_notebooks_have_no_solutions(tmp_path):
    paths = labcheck.student_notebooks(LABS, tmp_path)
    assert [p.stem for p in paths] == [p.stem for p in PAGES]
    for page, path in zip(PAGES, paths):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        text = "\n".join(c.source for c in nb.cells)
        for marker in ("solution-start", "solution-end", "{solution}", "Instructor notes", ":label:"):
            assert marker not in text, f"{path.name}: {marker!r} left in the student notebook"
        student_lines = {line.strip() for line in text.splitlines()}
        leaked = [line for line in _solution_lines(page.read_text()) if line in student_lines]
        assert not leaked, f"{path.name}: solution text in the student notebook: {leaked[:3]}"
        source = page.read_text()
        # the exercises and their starter cells are all there
        n_ex = len(re.findall(r"^`{3,}\{exercise\}", source, flags=re.M))
        assert text.count("### Exercise") == n_ex
        starters = [c for c in nb.cells if c.cell_type == "code" and "labcheck.check(" in c.source]
        assert starters and all("..." in c.source for c in starters)


def test_strip_handles_both_solution_forms():
    text = ("intro\n\n```{exercise} T\n:label: x\n\nDo it.\n```\n\n"
            "```{solution} x\n:class: dropdown\n\nsecret one\n```\n\n"
            "````{solution-start} x\n:class: dropdown\n````\n\nsecret two\n\n```python\nsecret_code()\n```\n\n"
            "````{solution-end}\n````\n\n:::{admonition} Instructor notes\n:class: dropdown\nsecret three\n:::\n\nafter\n")
    out = labcheck.strip_for_students(text)
    assert "secret" not in out and "Do it." in out and out.rstrip().endswith("after")


def test_check_says_not_answered_and_hides_the_value(capsys):
    assert labcheck.check("02.rs_by_hand", ...) is False
    assert "not answered" in capsys.readouterr().out
    assert labcheck.check("02.rs_by_hand", 0.9) is False
    out = capsys.readouterr().out
    assert "too high" in out and not re.search(r"0\.3[0-9]", out)
    with pytest.raises(KeyError):
        labcheck.check("02.no_such_exercise", 1.0)


def test_make_labs_target():
    make = (ROOT / "Makefile").read_text()
    assert re.search(r"^labs:", make, flags=re.M) and "routerlab.book.labs students" in make


# ---- the solutions pass, wrong answers fail ------------------------------------------------------
def _always_first():
    """A router that is valid and blind to the truth but no better than one fixed model."""
    import routerlab as rl

    class AlwaysFirst(rl.Router):
        name = "always-first"

        def route(self, test):
            self._check_models(test)
            return rl.Routing(np.zeros(test.n_queries, dtype=int))

    return AlwaysFirst()


def _wrong(answer):
    """A wrong version of a correct answer, of the same form."""
    import routerlab as rl

    if isinstance(answer, (bool, np.bool_)):
        return not answer
    if isinstance(answer, (int, float, np.integer, np.floating)):
        return float(answer) * 1.2 + 0.05
    if isinstance(answer, str):
        return answer + "?"
    if isinstance(answer, rl.Router):
        return _always_first()
    if isinstance(answer, dict):
        k = sorted(answer)[0]
        others = [x for x in answer.values() if x != answer[k]]
        return {**answer, k: others[0] if others else _wrong(answer[k])}
    seq = list(answer)
    if all(isinstance(x, str) for x in seq):  # names: the first one again in place of the last
        return seq[:-1] + seq[:1] if len(set(seq)) > 1 else [x + "?" for x in seq]
    if all(isinstance(x, (int, np.integer)) for x in seq):  # indices: one left out
        return seq[:-1]
    return [_wrong(seq[0]), *seq[1:]]


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_solutions_pass_their_checks(page, monkeypatch):
    text = page.read_text()
    missing = [s for s in _needed_sources(text) if src.find(s) is None]
    if missing:
        pytest.skip(f"real data not found: {missing}")
    calls = []  # (id, answer, context, result, in_solution)
    original = labcheck.check
    state = {"solution": False}

    def recording_check(exercise_id, answer, **context):
        result = original(exercise_id, answer, quiet=True, **context)
        calls.append((exercise_id, answer, context, result, state["solution"]))
        return result

    monkeypatch.setattr(labcheck, "check", recording_check)
    namespace: dict = {"__name__": f"lab_{page.stem}"}
    for code, in_solution in _blocks(text):
        state["solution"] = in_solution
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(_small(code), f"{page.name}", "exec"), namespace)  # noqa: S102
    solved = [c for c in calls if c[4]]
    starters = [c for c in calls if not c[4]]
    assert solved, "no self-check in the solutions"
    failing = [c[0] for c in solved if not c[3]]
    assert not failing, f"solutions that fail their own check: {failing}"
    assert all(c[3] is False for c in starters), "a starter cell passes its check before being filled in"
    # every check can fail: a wrong answer of the same form is refused
    for ex_id, answer, context, _, _ in solved:
        assert original(ex_id, _wrong(answer), quiet=True, **context) is False, f"{ex_id} accepts a wrong answer"


def test_every_check_is_used_by_a_lab():
    used = set()
    for page in PAGES:
        used |= set(re.findall(r'labcheck\.check\("([\w.]+)"', page.read_text()))
    assert used == set(labcheck.exercises())
