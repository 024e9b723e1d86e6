"""The routerbench-subset source: the real files (skipped when absent) and small fixtures with their
own digests for each flaw the loader must handle, through the library and the command line."""

from __future__ import annotations

import ast
import hashlib
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import routerlab.data.sources as sources
import routerlab.data.sources._base as base
import routerlab.data.sources.routerbench_subset as subset
from routerlab.cli import main
from routerlab.errors import RouterlabError
from routerlab.data.routerbench_layout import MODEL_COLUMNS
from routerlab.routing.features import TfidfSvdFeatures
from routerlab.data.tokens import count_tokens

# the folder every command reads (the data root, ../shared/data, or the per-user fetch folder)
REAL = sources.find("routerbench-subset") or Path(__file__).resolve().parents[2] / "shared" / "data" / "routerbench-subset"
needs_real = pytest.mark.skipif(not all((REAL / f).is_file() for f in subset.FILES),
                                reason=f"routerbench-subset files not found in {REAL}")
LABELS = {"arc-challenge": "ARC-Challenge", "mbpp": "MBPP", "winogrande": "Winogrande"}


# ---- the real files -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real():
    return sources.load("routerbench-subset", REAL.parent)


@pytest.fixture(scope="module")
def raw():
    """The six files read plainly with pandas (independent of the loader), pooled."""
    return pd.concat([pd.read_csv(REAL / f) for f in subset.FILES], ignore_index=True)


@needs_real
def test_real_counts_follow_the_stated_rule(real, raw):
    pv = real.provenance
    assert pv["rows read"] == len(raw) == 3_178
    assert pv["distinct sample_ids"] == raw["sample_id"].nunique() == 3_164
    assert pv["duplicated sample_ids"] == 14
    assert pv["empty quality cells"] == int(raw[list(MODEL_COLUMNS)].isna().sum().sum()) == 154
    assert (pv["rows dropped"], pv["rows kept"]) == (28, 3_150) and real.n_queries == 3_150
    assert "empty quality cell" in pv["rule"]
    # the rule drops every duplicate, and only rows with an empty cell
    dup = raw["sample_id"][raw["sample_id"].duplicated()]
    assert not set(dup) & set(real.sample_ids) and len(set(real.sample_ids)) == 3_150
    assert set(real.sample_ids) == set(raw["sample_id"][raw[list(MODEL_COLUMNS)].notna().all(axis=1)])


@needs_real
def test_real_models_accuracies_and_labels(real):
    assert real.n_models == 11 and set(real.model_names) == set(MODEL_COLUMNS)
    assert not real.simulated and not real.cost_estimated
    assert set(np.unique(real.quality)) == {0.0, 1.0}
    acc = pd.Series(real.accuracy(), index=real.model_names)
    assert acc.idxmin() == "claude-v2" and acc.min() == pytest.approx(0.551, abs=0.002)
    assert acc.idxmax() == "gpt-4-1106-preview" and acc.max() == pytest.approx(0.880, abs=0.002)
    sizes = {d: int(real.dataset_mask(d).sum()) for d in real.dataset_names}
    assert sizes == {"ARC-Challenge": 1_484 - 28, "MBPP": 427, "Winogrande": 1_267}
    assert {LABELS[s] for s in np.unique(real.subsets)} == set(real.dataset_names)
    gpt4 = real.models[real.model_index("gpt-4-1106-preview")]
    assert (gpt4.price_in, gpt4.price_out) == (10.0, 30.0)


@needs_real
def test_real_costs_are_the_files_own(real, raw):
    assert (real.cost > 0).all()
    by_id = raw.drop_duplicates("sample_id", keep=False).set_index("sample_id")
    for j, m in enumerate(real.model_names):
        np.testing.assert_array_equal(real.cost[:, j], by_id.loc[real.sample_ids, f"{m}|total_cost"].to_numpy())
    mean = pd.Series(real.cost.mean(0), index=real.model_names)
    assert mean.idxmax() == "gpt-4-1106-preview" and mean.idxmin() == "mistralai/mistral-7b-chat"


@needs_real
def test_real_prompts_are_questions_and_tokens_count_the_full_prompt(real, raw):
    by_id = raw.drop_duplicates("sample_id", keep=False).set_index("sample_id")
    full = np.array(["\n\n".join(ast.literal_eval(p)) for p in by_id.loc[real.sample_ids, "prompt"]], dtype=object)
    np.testing.assert_array_equal(real.prompt_tokens, count_tokens(full))  # what was paid for
    for d in ("ARC-Challenge", "Winogrande"):
        mask = real.dataset_mask(d)
        shared = os.path.commonprefix(full[mask].tolist())
        assert len(shared) > 1_000, d  # the few-shot examples every prompt repeats
        assert all(f.endswith(q) for f, q in zip(full[mask], real.prompts[mask]))
        q_len = np.mean([len(q) for q in real.prompts[mask]])
        assert q_len < 0.25 * np.mean([len(f) for f in full[mask]]), d
        assert len(os.path.commonprefix(real.prompts[mask].tolist())) < 50  # nothing shared is left
        assert (count_tokens(real.prompts[mask]) < real.prompt_tokens[mask]).all()
    mbpp = real.dataset_mask("MBPP")  # no shared examples: the question is the prompt
    np.testing.assert_array_equal(real.prompts[mbpp], full[mbpp])
    assert all(q.strip() for q in real.prompts)
    assert real.answer_tokens.shape == (3_150, 11) and (real.answer_tokens >= 1).all()


@needs_real
def test_real_text_features_differ_between_queries(real, raw):
    """TF-IDF of the questions tells queries apart; of the full prompts, the shared prefix dominates."""
    by_id = raw.drop_duplicates("sample_id", keep=False).set_index("sample_id")
    mask = real.dataset_mask("ARC-Challenge")
    ids = real.sample_ids[mask]
    full = ["\n\n".join(ast.literal_eval(p)) for p in by_id.loc[ids, "prompt"]]
    q = TfidfSvdFeatures(dim=32, seed=0).fit_transform(real.prompts[mask])
    f = TfidfSvdFeatures(dim=32, seed=0).fit_transform(full)
    assert len(np.unique(np.round(q, 6), axis=0)) / len(q) > 0.99
    pairs = np.random.default_rng(0).integers(0, len(q), (2_000, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]

    def mean_cos(x):
        return float(np.mean(np.sum(x[pairs[:, 0]] * x[pairs[:, 1]], axis=1)))

    assert mean_cos(q) < mean_cos(f) - 0.1


@needs_real
def test_real_info_prints_the_counts(capsys):
    assert main(["info", "--data", "routerbench-subset", "--data-dir", str(REAL.parent)]) == 0
    out = capsys.readouterr().out
    for line in ("rows read: 3,178", "distinct sample_ids: 3,164", "duplicated sample_ids: 14",
                 "empty quality cells: 154", "rows dropped: 28", "rows kept: 3,150"):
        assert line in out
    assert "3,150 queries x 11 models" in out and "ESTIMATED" not in out


@needs_real
def test_real_file_alone_through_the_cli(capsys):
    """One of the CSVs given as a file: RouterBench's layout, read as it is (index column included)."""
    assert main(["info", "--data", str(REAL / "mbpp_test.csv")]) == 0
    out = capsys.readouterr().out
    assert "128 queries x 11 models" in out and "rows dropped: 0" in out


# ---- fixtures: the real layout, small, with their own digests -------------------------------------
PREFIX = {"arc-challenge": "Worked example 1\nAnswer: A\n\nWorked example 2\nAnswer: B\n\n",
          "mbpp": "", "winogrande": "Example sentence _ one.\nAnswer: B\n\n"}


def fixture_file(eval_name: str, ids, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = len(ids)
    df = pd.DataFrame({
        "sample_id": list(ids), "eval_name": eval_name,
        "prompt": [str([f"{PREFIX[eval_name]}Question {i} about topic {seed}-{i}?"]) for i in ids]})
    df = df[["sample_id", "prompt", "eval_name"]]
    for m in sorted(MODEL_COLUMNS):
        df[m] = rng.integers(0, 2, n).astype(float)
    for m in MODEL_COLUMNS:
        df[f"{m}|model_response"] = str(["A"])
    for j, m in enumerate(MODEL_COLUMNS):
        df[f"{m}|total_cost"] = (j + 1) * 1e-5 + rng.random(n) * 1e-6
    df["oracle_model_to_route_to"] = "mistralai/mistral-7b-chat"
    return df


def fixture_frames() -> dict[str, pd.DataFrame]:
    return {
        "arc_challenge_train.csv": fixture_file("arc-challenge", [f"arc.{i}" for i in range(6)], 1),
        "arc_challenge_test.csv": fixture_file("arc-challenge", [f"arc.{i}" for i in range(6, 9)], 2),
        "mbpp_train.csv": fixture_file("mbpp", [f"mbpp.{i}" for i in range(4)], 3),
        "mbpp_test.csv": fixture_file("mbpp", [f"mbpp.{i}" for i in range(4, 6)], 4),
        "winograde_train.csv": fixture_file("winogrande", [f"wino.{i}" for i in range(5)], 5),
        "winograde_test.csv": fixture_file("winogrande", [f"wino.{i}" for i in range(5, 7)], 6),
    }


def split_duplicate(frames, src: str, i: int, dst: str, j: int) -> None:
    """Give row j of dst the id of row i of src, splitting the 11 scores between the two rows as
    RouterBench's duplicated rows do (gpt-3.5's score on one, the ten others on the other)."""
    frames[dst].loc[j, "sample_id"] = frames[src].loc[i, "sample_id"]
    frames[src].loc[i, "gpt-3.5-turbo-1106"] = np.nan
    frames[dst].loc[j, [m for m in MODEL_COLUMNS if m != "gpt-3.5-turbo-1106"]] = np.nan


def write_fixture(root: Path, frames, monkeypatch) -> Path:
    """The frames as CSVs (with the unnamed index column) in root/routerbench-subset, and the
    package's digests replaced by theirs."""
    folder = root / "routerbench-subset"
    folder.mkdir(parents=True)
    digests = {}
    for rel, frame in frames.items():
        buf = io.StringIO()
        frame.to_csv(buf)
        data = buf.getvalue().encode()
        (folder / rel).write_bytes(data)
        digests[rel] = hashlib.sha256(data).hexdigest()
    real = base.expected_digests
    monkeypatch.setattr(base, "expected_digests",
                        lambda name: digests if name == "routerbench-subset" else real(name))
    return folder


def test_fixture_flaws_are_counted_and_dropped(tmp_path, monkeypatch):
    frames = fixture_frames()
    split_duplicate(frames, "arc_challenge_train.csv", 1, "arc_challenge_train.csv", 4)  # within a file
    split_duplicate(frames, "arc_challenge_train.csv", 2, "arc_challenge_test.csv", 0)  # across files
    frames["mbpp_test.csv"].loc[1, "claude-v2"] = np.nan  # an empty cell in a row that is not a duplicate
    write_fixture(tmp_path, frames, monkeypatch)
    b = sources.load("routerbench-subset", tmp_path)
    assert b.provenance == {
        "rule": b.provenance["rule"], "rows read": 22, "distinct sample_ids": 20, "duplicated sample_ids": 2,
        "empty quality cells": 2 * 11 + 1, "rows dropped": 5, "rows kept": 17}
    assert b.n_queries == 17 and len(set(b.sample_ids)) == 17
    assert not {"arc.1", "arc.2", "mbpp.5"} & set(b.sample_ids)
    assert b.dataset_names == ["ARC-Challenge", "MBPP", "Winogrande"]
    # the shared worked examples are cut from the question, at a line boundary, but paid for
    arc = b.dataset_mask("ARC-Challenge")
    assert all(p.startswith("Question ") for p in b.prompts[arc])
    assert (b.prompt_tokens[arc] > count_tokens(b.prompts[arc])).all()
    # costs are the files' own
    arc0 = frames["arc_challenge_train.csv"].iloc[0]
    np.testing.assert_array_equal(b.cost[0], [arc0[f"{m}|total_cost"] for m in b.model_names])


def test_fixture_complete_duplicate_is_an_error(tmp_path, monkeypatch, capsys):
    frames = fixture_frames()
    frames["winograde_test.csv"].loc[0, "sample_id"] = "wino.3"  # a full second row for one id
    write_fixture(tmp_path, frames, monkeypatch)
    with pytest.raises(RouterlabError, match="'wino.3' at winograde_train.csv data row 4 .* "
                                             "winograde_test.csv data row 1"):
        sources.load("routerbench-subset", tmp_path)
    assert_cli_error(capsys, ["info", "--data", "routerbench-subset", "--data-dir", str(tmp_path)],
                     "more than once")


def test_fixture_unknown_model_has_no_price(tmp_path, monkeypatch, capsys):
    frames = {k: v.rename(columns=lambda c: c.replace("claude-v1", "claude-9")) for k, v in fixture_frames().items()}
    write_fixture(tmp_path, frames, monkeypatch)
    b = sources.load("routerbench-subset", tmp_path)  # loads: the costs are the files' own
    assert np.isnan(b.models[b.model_index("claude-9")].price_in)
    assert_cli_error(capsys, ["evaluate", "--data", "routerbench-subset", "--data-dir", str(tmp_path),
                              "--routers", "mf", "--seeds", "1", "--bootstrap", "0"],
                     "--prices FILE")


def test_fixture_digest_mismatch(tmp_path, monkeypatch, capsys):
    folder = write_fixture(tmp_path, fixture_frames(), monkeypatch)
    target = folder / "mbpp_test.csv"
    target.write_bytes(target.read_bytes().replace(b"Question", b"Puzzle", 1))
    with pytest.raises(RouterlabError, match=r"mbpp_test\.csv is corrupted or not the pinned version"):
        sources.load("routerbench-subset", tmp_path)
    out = tmp_path / "out.json"
    assert_cli_error(capsys, ["evaluate", "--data", "routerbench-subset", "--data-dir", str(folder),
                              "--routers", "random", "--json", str(out)], "SHA-256 mismatch")
    assert not out.exists()


def test_fixture_missing_folder_and_missing_file(tmp_path, monkeypatch, capsys):
    with pytest.raises(RouterlabError, match="data source 'routerbench-subset' not found under"):
        sources.load("routerbench-subset", tmp_path / "nowhere")
    assert_cli_error(capsys, ["info", "--data", "routerbench-subset", "--data-dir", str(tmp_path / "nowhere")],
                     "not found under")
    folder = write_fixture(tmp_path, fixture_frames(), monkeypatch)
    (folder / "winograde_test.csv").unlink()  # a folder lacking one file is not the source's folder
    assert sources.find("routerbench-subset", tmp_path) is None


def test_cli_unknown_source(capsys):
    assert_cli_error(capsys, ["info", "--data", "routerbench-full"], "unknown data source 'routerbench-full'")


def test_cli_help_lists_every_source(capsys):
    assert main(["info", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for name in sources.names():
        assert name in out


def assert_cli_error(capsys, argv, pattern):
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("routerlab: error: "), err
    assert pattern in lines[0] and out == ""
