"""routerlab.data.sources.llmrouter: the real files (counts measured once, by hand) and tiny fixtures."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

import routerlab.data.sources as src
from routerlab.errors import RouterlabError
from routerlab.data.sources import _base, llmrouter
from routerlab.data.tokens import count_tokens


# ---- the real files --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real():
    folder = src.find("llmrouter")
    if folder is None:
        pytest.skip("LLMRouter data folder not found (../shared/data/llmrouter or $ROUTERLAB_DATA_DIR)")
    return folder, llmrouter.load(folder)


def test_real_shapes_and_measured_counts(real):
    _, b = real
    assert b.n_models == 9 and len(b.dataset_names) == 14
    assert b.n_queries == 5989
    p = b.provenance
    assert p["scored rows read"] == 6108
    assert p["distinct question texts"] == 5989
    assert p["texts scored more than once"] == 119 and p["duplicate rows merged"] == 119
    assert p["duplicated texts whose scores disagree"] == 50
    assert p["texts listed under MMLU and another task (given the other)"] == 6
    assert p["rows without a matching query (dropped)"] == 0
    assert p["non-binary scores in the files"] == 1753
    assert "mean" in p["rule"]
    assert len(set(b.sample_ids)) == b.n_queries


def test_real_quality_cost_and_labels(real):
    _, b = real
    assert b.cost_estimated is True and not b.simulated
    assert ((b.quality >= 0) & (b.quality <= 1)).all()
    assert (b.cost > 0).all() and np.isfinite(b.cost).all()
    nonbinary = (b.quality != 0) & (b.quality != 1)
    # CommonGen's coverage scores plus the averaged disagreeing duplicates, nothing else
    datasets_nb = set(b.datasets[nonbinary.any(axis=1)])
    assert "CommonGen" in datasets_nb and datasets_nb <= {"CommonGen", "GPQA", "HumanEval", "MBPP"}
    assert {"MMLU", "GSM8K", "AgentVerse logic grid", "Natural Questions"} <= set(b.dataset_names)
    # the numeric prices, not the description text (qwen2.5's description says $0.30)
    assert b.models[b.model_index("qwen2.5-7b-instruct")].price_in == pytest.approx(0.20)
    assert b.models[b.model_index("gemma-2-9b-it")].price_out == pytest.approx(0.10)


def test_real_prompts_strip_shared_instruction(real):
    _, b = real
    mgsm = b.datasets == "AgentVerse MGSM"
    assert not any(str(t).rstrip().endswith("\\boxed{...}.") for t in b.prompts[mgsm])
    # prompt_tokens count the full query text, instruction included
    assert (b.prompt_tokens[mgsm] > count_tokens(b.prompts[mgsm])).all()
    assert b.provenance["prompts with a shared instruction line removed"] == int(mgsm.sum())
    # a logic-grid prompt keeps its "Q: There are ..." start (not a complete shared line)
    assert str(b.prompts[b.datasets == "AgentVerse logic grid"][0]).startswith("Q: There are")


def test_real_sensitivity_options(real):
    folder, b = real
    doubled = llmrouter.load(folder, output_scale=2.0)
    assert (doubled.cost > b.cost).all()
    np.testing.assert_array_equal(doubled.quality, b.quality)
    # all nine models charge the same for input and output, so cost ratios are price ratios
    assert np.allclose(b.price_in, b.price_out)
    np.testing.assert_allclose(b.cost / b.cost[:, :1], np.broadcast_to(b.price_in / b.price_in[0], b.cost.shape))
    const = llmrouter.load(folder, output_tokens=100)
    expected = (const.prompt_tokens[:, None] * const.price_in + 100 * const.price_out) / 1e6
    np.testing.assert_allclose(const.cost, expected)
    chars = llmrouter.load(folder, token_method="chars4")
    assert not np.array_equal(chars.prompt_tokens, b.prompt_tokens)
    first = llmrouter.load(folder, duplicates="first")
    assert first.provenance["non-binary quality cells kept"] == 1753
    assert b.provenance["non-binary quality cells kept"] > 1753


def test_real_bad_options(real):
    folder, _ = real
    for bad in ({"output_tokens": "longest"}, {"output_scale": 0}, {"token_method": "bpe"},
                {"duplicates": "last"}, {"output_tokens": -5}):
        with pytest.raises(RouterlabError):
            llmrouter.load(folder, **bad)


def test_cli_info_llmrouter(real, capsys):
    from routerlab import cli

    code = cli.main(["info", "--data", "llmrouter"])
    out = capsys.readouterr().out
    assert code == 0
    assert "ESTIMATED COST" in out


# ---- fixtures --------------------------------------------------------------------------------
LLMS = {
    "small": {"size": "7B", "feature": "costs $9.99 per million tokens", "input_price": 0.2,
              "output_price": 0.4, "model": "meta/small", "service": "NVIDIA"},
    "big": {"size": "70B", "feature": "", "input_price": 0.9, "output_price": 0.9,
            "model": "nvidia/big", "service": "NVIDIA"},
}


def _write(folder, train, test, qtrain, qtest, llms=LLMS):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dcrouter_train.json").write_text(json.dumps(train))
    (folder / "dcrouter_test.json").write_text(json.dumps(test))
    (folder / "default_query_train.jsonl").write_text("\n".join(json.dumps(q) for q in qtrain) + "\n")
    (folder / "default_query_test.jsonl").write_text("\n".join(json.dumps(q) for q in qtest) + "\n")
    (folder / "default_llm.json").write_text(json.dumps(llms))
    return folder


def _pin(monkeypatch, folder):
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    monkeypatch.setattr(_base, "expected_digests", lambda name: digests)


def _q(task, query, gt="A"):
    return {"task_name": task, "query": query, "ground_truth": gt, "metric": "em_mc",
            "choices": None, "task_id": None}


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    train = [{"question": "What is 2+2?", "scores": {"small": 1.0, "big": 1.0}},
             {"question": "Name a red fruit.", "scores": {"small": 0.0, "big": 1.0}},
             {"question": "a bee can enjoy", "scores": {"big": 0.0, "small": 1.0}}]
    test = [{"question": "Name a red fruit.", "scores": {"small": 1.0, "big": 1.0}},
            {"question": "Count the words here", "scores": {"small": 0.25, "big": 0.75}}]
    qtrain = [_q("gsm8k", "What is 2+2?", "2+2 = 4 so the answer is\n#### 4"),
              _q("trivia_qa", "Name a red fruit.", "apple"),
              _q("mmlu", "a bee can enjoy"), _q("openbook_qa", "a bee can enjoy")]
    qtest = [_q("trivia_qa", "Name a red fruit.", "apple"), _q("commongen", "Count the words here", "x")]
    folder = _write(tmp_path / "llmrouter", train, test, qtrain, qtest)
    _pin(monkeypatch, folder)
    return folder


def test_fixture_duplicates_rule(tiny):
    b = llmrouter.load(tiny)
    assert b.n_queries == 4 and b.model_names == ["small", "big"]
    fruit = list(b.prompts).index("Name a red fruit.")
    np.testing.assert_allclose(b.quality[fruit], [0.5, 1.0])           # mean of 0/1 and 1/1
    assert b.provenance["texts scored more than once"] == 1
    assert b.provenance["duplicated texts whose scores disagree"] == 1
    assert b.sample_ids[fruit] == "train-1"
    first = llmrouter.load(tiny, duplicates="first")
    np.testing.assert_allclose(first.quality[fruit], [0.0, 1.0])
    # scores are reordered to the price file's model order
    bee = list(b.prompts).index("a bee can enjoy")
    np.testing.assert_allclose(b.quality[bee], [1.0, 0.0])
    assert b.datasets[bee] == "OpenBookQA"
    assert b.provenance["texts listed under MMLU and another task (given the other)"] == 1
    assert set(b.datasets) == {"GSM8K", "TriviaQA", "OpenBookQA", "CommonGen"}


def test_fixture_estimated_cost_by_hand(tiny):
    b = llmrouter.load(tiny, output_tokens=10)
    assert b.cost_estimated
    np.testing.assert_allclose(b.cost, (b.prompt_tokens[:, None] * [0.2, 0.9] + 10 * np.array([0.4, 0.9])) / 1e6)
    ref = llmrouter.load(tiny)
    out = (ref.cost * 1e6 - ref.prompt_tokens[:, None] * ref.price_in) / ref.price_out
    assert (out >= llmrouter.OUTPUT_FLOOR - 1e-9).all() and (out <= llmrouter.OUTPUT_CAP + 1e-9).all()
    gsm = list(ref.datasets).index("GSM8K")
    ref_len = count_tokens(["2+2 = 4 so the answer is\n#### 4"])[0]
    assert out[gsm, 0] == pytest.approx(max(ref_len, llmrouter.OUTPUT_FLOOR))


def test_fixture_digest_mismatch(tiny):
    (tiny / "dcrouter_test.json").write_text("[]")
    with pytest.raises(RouterlabError) as err:
        llmrouter.load(tiny)
    assert "SHA-256" in str(err.value) and "\n" not in str(err.value)


def test_fixture_model_without_price(tmp_path, monkeypatch):
    train = [{"question": "q", "scores": {"small": 1.0, "ghost": 0.0}}]
    folder = _write(tmp_path / "llmrouter", train, [], [_q("mmlu", "q")], [_q("mmlu", "q")])
    _pin(monkeypatch, folder)
    with pytest.raises(RouterlabError, match="ghost.*no price"):
        llmrouter.load(folder)


def test_fixture_score_out_of_range(tmp_path, monkeypatch):
    train = [{"question": "q", "scores": {"small": 1.5, "big": 0.0}}]
    folder = _write(tmp_path / "llmrouter", train, [], [_q("mmlu", "q")], [_q("mmlu", "q")])
    _pin(monkeypatch, folder)
    with pytest.raises(RouterlabError, match=r"\[0, 1\]"):
        llmrouter.load(folder)
