"""RouterBench pickles: schema fixtures written with pandas.to_pickle, trust and hash checks."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from routerlab.errors import RouterlabError
from routerlab.routerbench import (MODEL_COLUMNS, ROUTERBENCH_MODELS, convert_to_parquet, file_sha256,
                                   frame_to_benchmark, load_routerbench, read_routerbench_frame)

EVALS = ["mmlu-anatomy", "mmlu-professional-law", "hellaswag", "grade-school-math", "arc-challenge",
         "winogrande", "mbpp", "mtbench", "mtbench-math", "chinese_zodiac", "bias_detection"]


def make_frame(n_per_eval: int = 3, seed: int = 0) -> pd.DataFrame:
    """A small DataFrame in RouterBench's exact wide layout (spec 1.2): 37 columns in order."""
    rng = np.random.default_rng(seed)
    rows = []
    for ev in EVALS:
        for i in range(n_per_eval):
            rows.append({"sample_id": f"{ev}.dev.{i}", "eval_name": ev,
                         "prompt": str([f"Question {i} of {ev}?"] + (["Follow-up turn?"] if ev.startswith("mtbench") else []))})
    n = len(rows)
    df = pd.DataFrame(rows)[["sample_id", "prompt", "eval_name"]]
    grades = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    quality = {m: rng.choice(grades, n) for m in MODEL_COLUMNS}
    quality["claude-v2"][0] = np.nan  # the 5-shot file has missing scores
    for m in sorted(MODEL_COLUMNS):  # pivot_table order: alphabetical, uppercase first
        df[m] = pd.Series(list(quality[m]), dtype=object)
    for m in MODEL_COLUMNS:
        df[f"{m}|model_response"] = [str([f"answer {k} from {m}"]) for k in range(n)]
    for j, m in enumerate(MODEL_COLUMNS):
        df[f"{m}|total_cost"] = (j + 1) * 1e-5 + np.arange(n) * 1e-7
    df["oracle_model_to_route_to"] = "mistralai/mistral-7b-chat"
    return df


@pytest.fixture()
def pkl(tmp_path):
    path = tmp_path / "routerbench_0shot.pkl"
    make_frame().to_pickle(path)
    return path, file_sha256(path)


def test_fixture_has_the_real_column_layout():
    df = make_frame()
    assert df.shape[1] == 37
    assert list(df.columns[3:14]) == sorted(MODEL_COLUMNS) and df.columns[3] == "WizardLM/WizardLM-13B-V1.2"
    assert df.columns[-1] == "oracle_model_to_route_to"


def test_pickle_to_benchmark(pkl):
    path, digest = pkl
    b = load_routerbench(path, trust_pickle=True, sha256=digest)
    assert b.n_models == 11 and b.models == ROUTERBENCH_MODELS
    gpt4 = b.models[b.model_index("GPT-4")]
    assert (gpt4.price_in, gpt4.price_out, gpt4.provider) == (10.0, 30.0, "OpenAI")
    # 7 core datasets, prefixes grouped; the two extra evals dropped
    assert set(b.dataset_names) == {"MMLU", "HellaSwag", "GSM8K", "ARC-Challenge", "Winogrande", "MBPP", "MT-Bench"}
    assert b.n_queries == 9 * 3
    assert (b.datasets[np.char.startswith(b.subsets.astype(str), "mmlu")] == "MMLU").all()
    assert set(b.subsets[b.datasets == "MT-Bench"]) == {"mtbench", "mtbench-math"}
    # fractional quality kept, NaN -> 0, costs as given, column order = response-column order
    frame = make_frame()
    assert set(np.unique(b.quality)) <= {0.0, 0.25, 0.5, 0.75, 1.0} and (b.quality % 1 != 0).any()
    assert b.quality[0, MODEL_COLUMNS.index("claude-v2")] == 0.0
    np.testing.assert_allclose(b.cost[:, 4], frame["gpt-4-1106-preview|total_cost"].to_numpy()[:27])
    np.testing.assert_allclose(b.quality[:, 4], frame["gpt-4-1106-preview"].astype(float).to_numpy()[:27])
    # prompt turns joined, tokens counted
    assert b.prompts[0] == "Question 0 of mmlu-anatomy?"
    assert "\n\nFollow-up turn?" in b.prompts[b.subsets == "mtbench"][0]
    assert b.answer_tokens.shape == (27, 11) and (b.answer_tokens > 1).all()


def test_extras_and_nan_options(pkl):
    path, digest = pkl
    b = load_routerbench(path, trust_pickle=True, sha256=digest, extras=True, fill_nan=None)
    assert b.n_queries == 11 * 3 and "chinese_zodiac" in b.dataset_names
    assert np.isnan(b.quality[0, MODEL_COLUMNS.index("claude-v2")])


def test_pickle_needs_trust_and_hash(pkl):
    path, digest = pkl
    with pytest.raises(RouterlabError, match="trust_pickle=True"):
        load_routerbench(path)
    with pytest.raises(RouterlabError, match="expected SHA-256"):
        load_routerbench(path, trust_pickle=True)
    with pytest.raises(RouterlabError, match="nothing was loaded") as err:
        load_routerbench(path, trust_pickle=True, sha256="0" * 64)
    assert "\n" not in str(err.value)


def test_hash_is_checked_before_unpickling(tmp_path, monkeypatch):
    """A mismatched pickle is never handed to the unpickler."""
    path = tmp_path / "evil.pkl"
    make_frame().to_pickle(path)
    called = []
    monkeypatch.setattr(pd, "read_pickle", lambda *a, **k: called.append(1))
    with pytest.raises(RouterlabError, match="SHA-256"):
        read_routerbench_frame(path, trust_pickle=True, sha256=hashlib.sha256(b"other").hexdigest())
    assert called == []


def test_corrupted_pickle(pkl, tmp_path):
    path, _ = pkl
    bad = tmp_path / "corrupt.pkl"
    bad.write_bytes(path.read_bytes()[:200])
    with pytest.raises(RouterlabError, match="not a pandas pickle"):
        load_routerbench(bad, trust_pickle=True, sha256=file_sha256(bad))


def test_convert_to_parquet_roundtrip(pkl, tmp_path):
    path, digest = pkl
    out = convert_to_parquet(path, tmp_path / "out" / "rb.parquet", sha256=digest)
    a = load_routerbench(path, trust_pickle=True, sha256=digest)
    b = load_routerbench(out)  # no trust needed for Parquet
    np.testing.assert_array_equal(a.quality, b.quality)
    np.testing.assert_array_equal(a.cost, b.cost)
    assert list(a.sample_ids) == list(b.sample_ids)
    import pyarrow.parquet as pq

    assert pq.read_schema(out).metadata[b"routerlab_source_sha256"] == digest.encode()


def test_convert_mismatch_writes_nothing(pkl, tmp_path):
    path, _ = pkl
    dest = tmp_path / "conv"
    dest.mkdir()
    with pytest.raises(RouterlabError, match="SHA-256"):
        convert_to_parquet(path, dest / "rb.parquet", sha256="f" * 64)
    assert list(dest.iterdir()) == []


def test_corrupted_parquet(tmp_path):
    bad = tmp_path / "rb.parquet"
    bad.write_bytes(b"PAR1 not really")
    with pytest.raises(RouterlabError, match="not a readable Parquet"):
        load_routerbench(bad)


def test_schema_errors(tmp_path):
    with pytest.raises(RouterlabError, match="not found"):
        load_routerbench(tmp_path / "missing.parquet")
    with pytest.raises(RouterlabError, match="missing"):
        frame_to_benchmark(make_frame().drop(columns=["claude-v1"]))
    only_extra = make_frame()
    only_extra = only_extra[only_extra["eval_name"] == "chinese_zodiac"]
    with pytest.raises(RouterlabError, match="extras=True"):
        frame_to_benchmark(only_extra)
