"""RouterBench's wide layout: pickle/Parquet/CSV fixtures, the empty-cell rule, prices, trust and hashes."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from routerlab.errors import RouterlabError
from routerlab.data.routerbench_layout import (MODEL_COLUMNS, ROUTERBENCH_MODELS, convert_to_parquet, file_sha256,
                                   frame_to_benchmark, is_routerbench_csv, load_routerbench,
                                   read_routerbench_frame, wide_benchmark)
from routerlab.data.tokens import count_tokens

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
    assert b.model_names == list(MODEL_COLUMNS)  # the |total_cost column order, names as spelled
    gpt4 = b.models[b.model_index("gpt-4-1106-preview")]
    assert (gpt4.price_in, gpt4.price_out, gpt4.provider) == (10.0, 30.0, "OpenAI")
    # 7 core datasets, prefixes grouped; the two extra evals dropped
    assert set(b.dataset_names) == {"MMLU", "HellaSwag", "GSM8K", "ARC-Challenge", "Winogrande", "MBPP", "MT-Bench"}
    # row 0 has an empty claude-v2 score: dropped by the rule, and counted
    assert b.n_queries == 9 * 3 - 1 and "mmlu-anatomy.dev.0" not in set(b.sample_ids)
    assert b.provenance["rows read"] == 11 * 3
    assert b.provenance["rows outside the 7 core datasets dropped (extras=False)"] == 2 * 3
    assert (b.provenance["empty quality cells"], b.provenance["rows dropped"], b.provenance["rows kept"]) == (1, 1, 26)
    assert (b.datasets[np.char.startswith(b.subsets.astype(str), "mmlu")] == "MMLU").all()
    assert set(b.subsets[b.datasets == "MT-Bench"]) == {"mtbench", "mtbench-math"}
    # fractional quality kept, costs as given (real charges), column order = response-column order
    frame = make_frame()
    assert set(np.unique(b.quality)) <= {0.0, 0.25, 0.5, 0.75, 1.0} and (b.quality % 1 != 0).any()
    assert not np.isnan(b.quality).any() and not b.cost_estimated
    np.testing.assert_allclose(b.cost[:, 4], frame["gpt-4-1106-preview|total_cost"].to_numpy()[1:27])
    np.testing.assert_allclose(b.quality[:, 4], frame["gpt-4-1106-preview"].astype(float).to_numpy()[1:27])
    # prompt turns joined, tokens counted (responses are list strings too: their brackets are not counted)
    assert b.prompts[0] == "Question 1 of mmlu-anatomy?"
    assert "\n\nFollow-up turn?" in b.prompts[b.subsets == "mtbench"][0]
    texts = [f"answer {k} from gpt-4-1106-preview" for k in range(1, 27)]
    assert b.answer_tokens.shape == (26, 11)
    np.testing.assert_array_equal(b.answer_tokens[:, 4], count_tokens(texts))
    assert (count_tokens([str([t]) for t in texts]) > b.answer_tokens[:, 4]).all()
    np.testing.assert_array_equal(b.prompt_tokens, count_tokens(b.prompts))  # no shared prefix here


def test_extras_keep_the_other_evals(pkl):
    path, digest = pkl
    b = load_routerbench(path, trust_pickle=True, sha256=digest, extras=True)
    assert b.n_queries == 11 * 3 - 1 and "chinese_zodiac" in b.dataset_names
    assert not any("outside" in k for k in b.provenance)


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
    with pytest.raises(RouterlabError, match="quality column 'claude-v1' is missing"):
        frame_to_benchmark(make_frame().drop(columns=["claude-v1"]))
    with pytest.raises(RouterlabError, match="'stray' .* not part of RouterBench's wide layout"):
        frame_to_benchmark(make_frame().assign(stray=1))
    only_extra = make_frame()
    only_extra = only_extra[only_extra["eval_name"] == "chinese_zodiac"]
    with pytest.raises(RouterlabError, match="extras=True"):
        frame_to_benchmark(only_extra)


# ---- the same reader on RouterBench CSV exports (unnamed index column, list-string prompts) ------
def write_csv(frame: pd.DataFrame, path):
    """As RouterBench's CSV copies are written: DataFrame.to_csv with its index (-> 'Unnamed: 0')."""
    frame.to_csv(path)
    return path


def test_csv_export_is_read_with_its_index_column(tmp_path):
    path = write_csv(make_frame(), tmp_path / "arc_like.csv")
    assert pd.read_csv(path).columns[0] == "Unnamed: 0"
    assert is_routerbench_csv(path)
    b = load_routerbench(path)
    pkl_like = frame_to_benchmark(make_frame())
    np.testing.assert_array_equal(b.quality, pkl_like.quality)
    np.testing.assert_allclose(b.cost, pkl_like.cost)
    assert list(b.sample_ids) == list(pkl_like.sample_ids) and b.provenance == pkl_like.provenance


def test_interchange_csv_with_sidecar_is_not_taken_for_routerbench(tmp_path):
    path = write_csv(make_frame(), tmp_path / "t.csv")
    (tmp_path / "t.csv.meta.json").write_text("{}")
    assert not is_routerbench_csv(path)
    plain = tmp_path / "plain.csv"
    plain.write_text("sample_id,prompt,eval_name,prompt_tokens\n1,p,d,3\n")
    assert not is_routerbench_csv(plain)


def _with_duplicate(frame: pd.DataFrame, complete: bool) -> pd.DataFrame:
    """Row 3 again under row 1's sample_id: split scores (as in RouterBench) or a full copy."""
    frame = frame.copy()
    frame.loc[3, "sample_id"] = frame.loc[1, "sample_id"]
    if not complete:
        frame.loc[1, "gpt-3.5-turbo-1106"] = np.nan
        frame.loc[3, [m for m in MODEL_COLUMNS if m != "gpt-3.5-turbo-1106"]] = np.nan
    return frame


def test_split_duplicates_are_dropped_by_the_empty_cell_rule():
    b = frame_to_benchmark(_with_duplicate(make_frame(), complete=False))
    pv = b.provenance
    assert (pv["distinct sample_ids"], pv["duplicated sample_ids"]) == (26, 1)
    assert pv["empty quality cells"] == 1 + 1 + 10 and (pv["rows dropped"], pv["rows kept"]) == (3, 24)
    assert len(set(b.sample_ids)) == b.n_queries == 24


def test_complete_duplicates_are_an_error_naming_the_id():
    with pytest.raises(RouterlabError, match=r"1 sample_id\(s\) .* more than once .*'mmlu-anatomy.dev.1'") as err:
        frame_to_benchmark(_with_duplicate(make_frame(), complete=True))
    assert "\n" not in str(err.value)


def test_unknown_model_loads_with_unknown_price(tmp_path):
    frame = make_frame().rename(columns=lambda c: c.replace("claude-v1", "claude-9"))
    path = write_csv(frame, tmp_path / "new_model.csv")
    b = load_routerbench(path)  # its per-query costs are the table's own
    m = b.models[b.model_index("claude-9")]
    assert m.provider == "unknown" and np.isnan(m.price_in) and np.isnan(m.price_out)
    from routerlab.routing.predictive import expected_cost

    with pytest.raises(RouterlabError, match="'claude-9' has no per-token price.*--prices FILE") as err:
        expected_cost(b, b)  # never priced as if free
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("column, value, pattern", [
    ("claude-v1", "yes", "quality column 'claude-v1' holds 'yes' at b.csv data row 1"),
    ("claude-v1", 1.5, "quality column 'claude-v1' is 1.5"),
    ("claude-v1|total_cost", np.nan, "cost column 'claude-v1|total_cost' is empty at b.csv data row 1"),
    ("claude-v1|total_cost", -0.1, "cost column 'claude-v1|total_cost' is -0.1"),
])
def test_bad_cells_are_one_line_errors(column, value, pattern):
    frame = make_frame()
    frame[column] = frame[column].astype(object)
    frame.loc[2, column] = value
    with pytest.raises(RouterlabError, match=pattern.replace("|", r"\|")) as err:
        wide_benchmark(frame, origin=["a.csv"] * 2 + ["b.csv"] * (len(frame) - 2))
    assert "b.csv data row 1 (sample_id 'mmlu-anatomy.dev.2')" in str(err.value) and "\n" not in str(err.value)
