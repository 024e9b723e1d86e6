"""Lab 11 (book/labs/11_query_or_task.md): its self-checks accept the answer the package gives and
refuse wrong ones with a hint that does not print the expected value. The lab page's solutions run
in tests/test_labs.py (slow)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import routerlab as rl
import routerlab.data.sources as src
from routerlab.book import labs as labcheck

MODELS = [rl.Model("small", "toy", "Small", 0.1, 0.1), rl.Model("medium", "toy", "Medium", 0.5, 1.5),
          rl.Model("large", "toy", "Large", 10.0, 30.0)]


def _toy(quality, datasets):
    n = len(datasets)
    return rl.Benchmark(quality=np.asarray(quality, dtype=float), cost=np.zeros((n, 3)), models=MODELS,
                        sample_ids=np.array([f"q{i}" for i in range(n)]), datasets=np.array(datasets),
                        prompt_tokens=np.full(n, 100))


@pytest.fixture(scope="module")
def toy():
    train = _toy([[0, 0, 1], [1, 1, 1], [0, 0, 1], [0, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1], [0, 1, 1]],
                 ["maths"] * 4 + ["trivia"] * 4)
    test = _toy(np.zeros((4, 3)), ["trivia", "maths", "trivia", "maths"])
    return train, test


@pytest.fixture(scope="module")
def sim():
    return rl.simulate(0.02, seed=0)


def test_lab11_ids_are_registered():
    ids = {"11.paired_gain", "11.validation_choice", "11.task_zero", "11.task_auc", "11.auc_real"}
    assert ids <= set(labcheck.exercises())


def test_task_zero_check(toy, capsys):
    train, test = toy
    # worked by hand in the lab: lam * acc - kappa, kappa = (0.2, 2, 40) micro-USD per token
    assert labcheck.check("11.task_zero", {"maths": "large", "trivia": "medium"}, train=train, test=test, lam=1e-4)
    assert labcheck.check("11.task_zero", {"maths": "small", "trivia": "small"}, train=train, test=test, lam=1e-8)
    capsys.readouterr()
    assert not labcheck.check("11.task_zero", {"maths": "large", "trivia": "large"}, train=train, test=test, lam=1e-4)
    assert "argmax" in capsys.readouterr().out
    # the most accurate model everywhere, at a lambda where the price matters
    assert not labcheck.check("11.task_zero", {"maths": "large", "trivia": "medium"}, train=train, test=test, lam=1e-5)
    assert "most accurate" in capsys.readouterr().out
    assert not labcheck.check("11.task_zero", {"maths": "large"}, train=train, test=test, lam=1e-4)
    assert "missing" in capsys.readouterr().out
    assert not labcheck.check("11.task_zero", {"maths": "huge", "trivia": "medium"}, train=train, test=test, lam=1e-4)
    assert not labcheck.check("11.task_zero", ["large", "medium"], train=train, test=test, lam=1e-4)


def test_task_auc_check(sim, capsys):
    from sklearn.metrics import roc_auc_score

    from routerlab.evaluation.predictability import task_score

    tr, te = rl.stratified_split(sim, 0.2, seed=0)
    correct = (sim.quality >= 0.5).astype(float)
    scores = task_score(sim.dataset_codes[tr], correct[tr], sim.dataset_codes[te])
    j = sim.model_names.index("GPT-4o")
    auc = roc_auc_score(correct[te, j], scores[:, j])
    assert 0.5 < auc < 1.0
    assert labcheck.check("11.task_auc", auc, bench=sim, model="GPT-4o")
    capsys.readouterr()
    assert not labcheck.check("11.task_auc", 1.0 - auc, bench=sim, model="GPT-4o")
    assert "1 - AUC" in capsys.readouterr().out
    assert not labcheck.check("11.task_auc", auc + 0.02, bench=sim, model="GPT-4o")
    out = capsys.readouterr().out
    assert "too high" in out and f"{auc:.3f}" not in out
    assert not labcheck.check("11.task_auc", 2.0, bench=sim, model="GPT-4o")


def test_paired_gain_check(sim, capsys):
    res = rl.evaluate(sim, ["dataset-best", "knn", "mf"], seeds=[0], bootstrap=50, cache_dir=False)
    row = res.paired(reference="dataset-best").set_index("policy").loc["mf"]
    answer = (row["diff"], row["lo"], row["hi"])
    assert labcheck.check("11.paired_gain", answer, bench=sim, seeds=[0], bootstrap=50)
    capsys.readouterr()
    assert not labcheck.check("11.paired_gain", (-row["diff"], row["lo"], row["hi"]), bench=sim, seeds=[0],
                              bootstrap=50)
    assert "minus" in capsys.readouterr().out
    # the interval of another bootstrap count is not the one asked for
    assert not labcheck.check("11.paired_gain", answer, bench=sim, seeds=[0], bootstrap=60)
    assert not labcheck.check("11.paired_gain", row["diff"], bench=sim, seeds=[0], bootstrap=50)


def test_validation_choice_check(sim, capsys):
    from routerlab.evaluation.task_baselines import validation_choice

    learned = ["mf", "knn"]
    name, scores = validation_choice(sim, learned, seed=0)
    assert labcheck.check("11.validation_choice", name, bench=sim, learned=learned, seed=0)
    other = next(n for n in learned if n != name)
    if scores[other] < scores[name]:
        capsys.readouterr()
        assert not labcheck.check("11.validation_choice", other, bench=sim, learned=learned, seed=0)
        assert "validation rows" in capsys.readouterr().out
    assert not labcheck.check("11.validation_choice", "mlp", bench=sim, learned=learned, seed=0)
    assert not labcheck.check("11.validation_choice", learned, bench=sim, learned=learned, seed=0)


@pytest.mark.slow
def test_auc_real_check(capsys):
    if src.find("routerbench-subset") is None:
        pytest.skip("real data not found: routerbench-subset")
    from routerlab.evaluation.predictability import correctness_auc

    real = src.load_for_book("routerbench-subset", 0.05)
    t = correctness_auc(real, seed=0)
    answer = (t["auc_task"].mean(), t["auc_task_query"].mean())
    assert labcheck.check("11.auc_real", answer, bench=real)
    capsys.readouterr()
    assert not labcheck.check("11.auc_real", answer[::-1], bench=real)
    out = capsys.readouterr().out
    assert not re.search(rf"{answer[0]:.3f}|{answer[1]:.3f}", out)


def test_lab11_page_is_honest_about_its_data():
    page = (Path(__file__).resolve().parents[1] / "book" / "labs" / "11_query_or_task.md").read_text()
    assert "# SIMULATED" in page and "# REAL" in page and "Simulated data" in page
    # the real exercise is optional: no src.load(...) that would fail without the data folder
    assert 'src.load("' not in page and "if real is None" in page


def test_lab11_real_exercise_skips_without_the_data(monkeypatch, capsys):
    """Without the routerbench-subset folder the setup loads nothing and exercise 5 says it is
    skipped (starter and solution alike) instead of failing."""
    from test_labs import LABS, _blocks, _small

    monkeypatch.setattr(src, "find", lambda name, data_dir=None: None)
    blocks = _blocks((LABS / "11_query_or_task.md").read_text())
    namespace: dict = {"__name__": "lab11"}
    for code, _ in [blocks[0], *blocks[-2:]]:  # the setup, exercise 5's starter and its solution
        exec(compile(_small(code), "11_query_or_task.md", "exec"), namespace)  # noqa: S102
    assert namespace["real"] is None
    assert capsys.readouterr().out.count("exercise 5 is skipped") == 2
