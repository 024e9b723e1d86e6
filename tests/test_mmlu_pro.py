"""routerlab.data.sources.mmlu_pro: the 29 real archives (counts measured once) and tiny zip fixtures."""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile

import numpy as np
import pytest

import routerlab.data.sources as src
from routerlab.errors import RouterlabError
from routerlab.data.sources import _base, mmlu_pro
from routerlab.data.catalog import read_prices


# ---- the real files (parsed once into a temporary cache, then read from it) -------------------
@pytest.fixture(scope="module")
def real(tmp_path_factory):
    folder = src.find("mmlu-pro")
    if folder is None:
        pytest.skip("MMLU-Pro data folder not found (../shared/data/mmlu-pro or $ROUTERLAB_DATA_DIR)")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(_base.CACHE_ENV, str(tmp_path_factory.mktemp("sources-cache")))
        t0 = time.perf_counter()
        first = mmlu_pro.load(folder)
        t1 = time.perf_counter()
        cached = mmlu_pro.load(folder)
        t2 = time.perf_counter()
        yield {"folder": folder, "bench": first, "cached": cached, "times": (t1 - t0, t2 - t1), "mp": mp}


def test_real_shapes_and_measured_counts(real):
    b = real["bench"]
    assert b.n_models == 29 and len(b.dataset_names) == 14
    p = b.provenance
    assert p["question ids seen"] == 12032
    assert p["questions missing from at least one file (dropped)"] == 12032 - 10326
    assert p["questions with conflicting answer keys (dropped)"] == 32
    assert p["questions kept"] == b.n_queries == 10326 - 32
    assert p["non-record list entries skipped"] == 43
    assert p["null preds counted wrong, per model"]["Meta-Llama-3_1-8B-Instruct"] == 0
    assert p["null preds counted wrong, per model"]["Llama-2-7b-hf"] == 1453
    assert p["null preds counted wrong (all models)"] == sum(p["null preds counted wrong, per model"].values())
    assert len(set(b.sample_ids)) == b.n_queries
    assert b.subsets is not None and b.prompts is not None
    assert set(np.unique(b.quality)) <= {0.0, 1.0}


def test_real_accuracy_range(real):
    acc = dict(zip(real["bench"].model_names, real["bench"].accuracy()))
    assert min(acc, key=acc.get) == "Llama-2-7b-hf" and 0.15 < acc["Llama-2-7b-hf"] < 0.25
    assert max(acc, key=acc.get) == "gemini-1.5-pro-002" and 0.65 < acc["gemini-1.5-pro-002"] < 0.75


def test_real_estimated_cost(real):
    b = real["bench"]
    assert b.cost_estimated is True
    assert (b.cost > 0).all() and np.isfinite(b.cost).all()
    assert b.answer_tokens.shape == (b.n_queries, b.n_models) and (b.answer_tokens >= 1).all()
    expected = (b.prompt_tokens[:, None] * b.price_in + b.answer_tokens * b.price_out) / 1e6
    np.testing.assert_allclose(b.cost, expected)


def test_real_cache_hit_is_identical_and_fast(real):
    b, c = real["bench"], real["cached"]
    for attr in ("quality", "cost", "sample_ids", "datasets", "subsets", "prompts", "prompt_tokens", "answer_tokens"):
        np.testing.assert_array_equal(getattr(b, attr), getattr(c, attr))
    assert b.provenance == c.provenance
    first, cached = real["times"]
    assert cached < first


def test_real_sensitivity_options(real):
    b = real["bench"]
    longer = mmlu_pro.load(real["folder"], prefix_tokens=1000)
    np.testing.assert_allclose(longer.cost - b.cost, np.broadcast_to(1000 * b.price_in / 1e6, b.cost.shape),
                               rtol=1e-9, atol=1e-15)
    chars = mmlu_pro.load(real["folder"], token_method="chars4")
    assert not np.array_equal(chars.answer_tokens, b.answer_tokens)
    two = mmlu_pro.load(real["folder"], models=["Llama-2-7b-hf", "gemini-1.5-pro-002"])
    assert two.model_names == ["Llama-2-7b-hf", "gemini-1.5-pro-002"] and two.n_queries > b.n_queries
    with pytest.raises(RouterlabError):
        mmlu_pro.load(real["folder"], answer_conflicts="raise")


# ---- fixtures --------------------------------------------------------------------------------
def _rec(qid, pred, answer="A", category="math", src_="ori_mmlu-x", text="Step by step. The answer is (A).",
         question=None, key="generated_text"):
    return {"question_id": qid, "question": question or f"Question {qid}?", "options": ["one", "two", "three"],
            "answer": answer, "answer_index": "ABC".index(answer), "cot_content": "", "category": category,
            "src": src_, "pred": pred, key: text}


def _zip(path, payload, members=None):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in (members or [(path.name.replace(".zip", ".json"), json.dumps(payload))]):
            zf.writestr(name, data)
    path.write_bytes(buf.getvalue())


def _setup(tmp_path, monkeypatch, per_model, members=None):
    folder = tmp_path / "mmlu-pro"
    folder.mkdir()
    for model, records in per_model.items():
        _zip(folder / f"model_outputs_{model}_5shots.zip", records, (members or {}).get(model))
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    monkeypatch.setattr(_base, "expected_digests", lambda name: digests)
    monkeypatch.setenv(_base.CACHE_ENV, str(tmp_path / "cache"))
    return folder


def test_fixture_null_pred_wrong_and_missing_question_dropped(tmp_path, monkeypatch):
    folder = _setup(tmp_path, monkeypatch, {
        "Llama-2-7b-hf": [_rec(1, "A"), _rec(2, None), _rec(3, "B"), "total"],
        "gemma-7b": [_rec(1, "B"), _rec(2, "A", key="model_outputs")],
    })
    b = mmlu_pro.load(folder)
    assert b.model_names == ["Llama-2-7b-hf", "gemma-7b"]
    assert list(b.sample_ids) == ["1", "2"]
    np.testing.assert_array_equal(b.quality, [[1, 0], [0, 1]])    # null pred -> wrong
    p = b.provenance
    assert p["null preds counted wrong, per model"] == {"Llama-2-7b-hf": 1, "gemma-7b": 0}
    assert p["questions missing from at least one file (dropped)"] == 1
    assert p["non-record list entries skipped"] == 1
    assert b.cost_estimated and (b.cost > 0).all()
    assert list(b.datasets) == ["math", "math"] and b.prompts[0].startswith("Question 1?\nOptions:\nA. one")


def test_fixture_answer_conflict_and_identity_mismatch(tmp_path, monkeypatch):
    folder = _setup(tmp_path, monkeypatch, {
        "Llama-2-7b-hf": [_rec(1, "A"), _rec(2, "B", answer="B")],
        "gemma-7b": [_rec(1, "A"), _rec(2, "B", answer="C")],
    })
    b = mmlu_pro.load(folder)
    assert list(b.sample_ids) == ["1"]
    assert b.provenance["questions with conflicting answer keys (dropped)"] == 1
    with pytest.raises(RouterlabError, match="different answer key"):
        mmlu_pro.load(folder, answer_conflicts="raise")


def test_fixture_category_mismatch_raises(tmp_path, monkeypatch):
    folder = _setup(tmp_path, monkeypatch, {
        "Llama-2-7b-hf": [_rec(1, "A")], "gemma-7b": [_rec(1, "A", category="law")]})
    with pytest.raises(RouterlabError, match="same questions"):
        mmlu_pro.load(folder)


def test_fixture_digest_mismatch_before_parsing(tmp_path, monkeypatch):
    folder = _setup(tmp_path, monkeypatch, {"Llama-2-7b-hf": [_rec(1, "A")], "gemma-7b": [_rec(1, "A")]})
    (folder / "model_outputs_gemma-7b_5shots.zip").write_bytes(b"not a zip at all")
    with pytest.raises(RouterlabError) as err:
        mmlu_pro.load(folder)
    assert "SHA-256" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("members", [
    [("a.json", "[]"), ("b.json", "[]")],
    [("notes.txt", "hello")],
])
def test_fixture_zip_must_hold_one_json(tmp_path, monkeypatch, members):
    folder = _setup(tmp_path, monkeypatch, {"Llama-2-7b-hf": [_rec(1, "A")], "gemma-7b": []},
                    members={"gemma-7b": members})
    with pytest.raises(RouterlabError, match="exactly one .json"):
        mmlu_pro.load(folder)


def test_fixture_model_without_price(tmp_path, monkeypatch):
    folder = _setup(tmp_path, monkeypatch, {"Llama-2-7b-hf": [_rec(1, "A")], "NoSuchModel-1B": [_rec(1, "A")]})
    with pytest.raises(RouterlabError, match="no price for model.*NoSuchModel-1B"):
        mmlu_pro.load(folder)


def test_price_table_is_complete():
    prices = read_prices("mmlu-pro")
    assert len(prices) == 29
    assert prices["reference"].str.len().min() > 20
    assert {"provider", "tier"} <= set(prices.columns)
