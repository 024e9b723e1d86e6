"""Saved routers (routerlab.routing.saved), predicted RS, and the ``fit`` / ``route`` subcommands."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace

import numpy as np
import pytest

import routerlab as rl
from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import Model
from routerlab.cli import main
from routerlab.errors import RouterlabError
from routerlab.evaluation.protocol import benchmark_fingerprint, stratified_split
from routerlab.data.interchange import write_table
from routerlab.routing.saved import (FORMAT_VERSION, UNKNOWN_DATASET, fit_router, load_router, prompt_benchmark,
                               read_prompt_file, route_prompts, save_router)
from routerlab.routing.predictive import predicted_rs


@pytest.fixture(scope="module")
def sim_split():
    bench = rl.simulate(scale=0.01, seed=0)
    tr, te = stratified_split(bench, 0.2, seed=0)
    return bench.rows(tr), bench.rows(te)


def _all_router_names():
    return [n for n in rl.router_names() if n != "fixed:<model>"] + ["fixed:GPT-4o"]


@pytest.mark.parametrize("name", _all_router_names())
def test_every_router_round_trips(name, sim_split, tmp_path):
    train, test = sim_split
    router = rl.make_router(name, seed=3).fit(train)
    before = router.route(test)
    path = save_router(router, tmp_path / "r.rlr", train)
    loaded, meta = load_router(path, expected_models=train.model_names)
    after = loaded.route(test)
    assert type(loaded) is type(router)
    np.testing.assert_array_equal(after.choice, before.choice)
    for attr in ("calls", "proba"):
        a, b = getattr(before, attr), getattr(after, attr)
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(a, b)
    assert meta["router"]["name"] == name
    assert meta["format_version"] == FORMAT_VERSION
    assert meta["training"]["fingerprint"] == benchmark_fingerprint(train)
    assert [m["name"] for m in meta["models"]] == train.model_names
    assert meta["models"][0]["price_in"] == train.models[0].price_in
    assert meta["features"]["kind"] == "given"


def test_same_router_same_bytes(sim_split, tmp_path):
    train, _ = sim_split
    router = rl.make_router("mf", seed=0).fit(train)
    a = save_router(router, tmp_path / "a.rlr", train).read_bytes()
    b = save_router(router, tmp_path / "b.rlr", train).read_bytes()
    assert a == b


def test_arrays_member_needs_no_pickle(sim_split, tmp_path):
    train, _ = sim_split
    path = save_router(rl.make_router("knn").fit(train), tmp_path / "k.rlr", train)
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["arrays.npz", "meta.json"]
        with np.load(io.BytesIO(z.read("arrays.npz")), allow_pickle=False) as arrays:
            assert all(arrays[k].dtype != object for k in arrays.files)


# ---- predicted RS: hand-computed -------------------------------------------------------------------

def _two_model_bench() -> Benchmark:
    """2 models, 4 queries of dataset A; prices (USD / 1M tokens) chosen so every number is by hand."""
    models = (Model("cheap", "p", "Small", 1.0, 2.0), Model("dear", "p", "Large", 10.0, 20.0))
    quality = np.array([[1, 1], [0, 1], [1, 1], [0, 0]], dtype=float)   # accuracy A: 0.5, 0.75
    prompt_tokens = np.array([100, 100, 100, 100])
    answer_tokens = np.array([[10, 30]] * 4)                            # means 10 and 30
    cost = (prompt_tokens[:, None] * [1.0, 10.0] + answer_tokens * [2.0, 20.0]) / 1e6
    return Benchmark(quality=quality, cost=cost, models=models, sample_ids=np.array(list("abcd")),
                     datasets=np.array(["A"] * 4), prompt_tokens=prompt_tokens, answer_tokens=answer_tokens)


def test_predicted_rs_by_hand():
    train = _two_model_bench()
    router = rl.make_router("dataset-best").fit(train)
    # training cost: cheap 100*1 + 10*2 = 120e-6, dear 100*10 + 30*20 = 1600e-6 -> range [120, 1600] e-6
    test = replace(train.rows([0]).without_truth(), prompt_tokens=np.array([50]))
    p, cost, rs = predicted_rs(router, test)
    np.testing.assert_allclose(p, [[0.5, 0.75]])
    np.testing.assert_allclose(cost, [[(50 * 1 + 10 * 2) / 1e6, (50 * 10 + 30 * 20) / 1e6]])   # 70e-6, 1100e-6
    np.testing.assert_allclose(rs, [[0.5 * 1.0, 0.75 * (1 - (1100 - 120) / (1600 - 120))]])   # cheap clips to 0


def test_unknown_dataset_uses_overall_means():
    a = _two_model_bench()
    b = replace(a, datasets=np.array(["A", "A", "B", "B"]),
                answer_tokens=np.array([[10, 30], [10, 30], [50, 70], [50, 70]]))
    router = rl.make_router("dataset-best").fit(b)
    test = replace(b.rows([0]), datasets=np.array([UNKNOWN_DATASET]), prompt_tokens=np.array([0]))
    p, cost, _ = predicted_rs(router, test)
    np.testing.assert_allclose(cost, [[30 * 2.0 / 1e6, 50 * 20.0 / 1e6]])   # overall mean answer lengths 30, 50
    np.testing.assert_allclose(p, [[0.5, 0.75]])                             # overall training accuracies
    enc = rl.make_router("mf").fit(b).encoder_.transform(test)
    np.testing.assert_array_equal(enc[:, -2:], [[0.0, 0.0]])               # dataset one-hot all zeros


def test_predicted_rs_argmax_is_route_and_batch_free(sim_split):
    train, test = sim_split
    router = rl.make_router("mf", seed=0).fit(train)
    p, cost, rs = predicted_rs(router, test)
    assert p.shape == cost.shape == rs.shape == (test.n_queries, test.n_models)
    np.testing.assert_array_equal(rs.argmax(axis=1), router.route(test).choice)
    one = predicted_rs(router, test.rows([5]))[2]   # BLAS may round a 1-row product otherwise
    np.testing.assert_allclose(one[0], rs[5], rtol=1e-12, atol=0)
    assert one[0].argmax() == rs[5].argmax() == router.route(test.rows([5])).choice[0]


def test_predicted_rs_needs_predictive_router(sim_split):
    train, test = sim_split
    with pytest.raises(RouterlabError, match="no success predictions"):
        predicted_rs(rl.make_router("random").fit(train), test)


# ---- text features travel with the router ------------------------------------------------------------

WORDS = {"ARC-Challenge": "science atom cell energy planet", "GSM8K": "apples sum total how many numbers",
         "MMLU": "history law economics philosophy"}


def _text_bench(seed: int = 0) -> Benchmark:
    sim = rl.simulate(scale=0.02, seed=seed)
    keep = np.flatnonzero(np.isin(sim.datasets, list(WORDS)))
    b = sim.rows(keep)
    rng = np.random.default_rng(seed)
    prompts = np.array([f"{WORDS[d]} question {rng.integers(1000)} " + " ".join(rng.choice(WORDS[d].split(), 3))
                        for d in b.datasets], dtype=object)
    return replace(b, prompts=prompts, features=None, name="text-sim")


def test_text_pipeline_round_trips(tmp_path):
    bench = _text_bench()
    router, train, fe, test_rows = fit_router(bench, "mf", seed=0, train_share=0.75)
    assert train.features.shape[1] == fe.dim_ and len(test_rows) > 0
    path = save_router(router, tmp_path / "mf.rlr", train, features=fe)
    loaded, meta = load_router(path)
    assert meta["features"]["kind"] == "tfidf"
    test = bench.rows(test_rows)
    f0, f1 = fe.transform(test.prompts), meta["pipeline"].transform(test.prompts)
    np.testing.assert_array_equal(f0, f1)
    np.testing.assert_array_equal(router.route(replace(test, features=f0)).choice,
                                  loaded.route(replace(test, features=f1)).choice)
    res = route_prompts(loaded, meta, ["how many apples in total", "the law of history"])
    assert res["rs"].shape == (2, bench.n_models) and res["dataset"] == UNKNOWN_DATASET
    np.testing.assert_array_equal(res["choice"], res["rs"].argmax(axis=1))


def test_given_features_cannot_route_text(sim_split, tmp_path):
    train, _ = sim_split
    _, meta = load_router(save_router(rl.make_router("mf").fit(train), tmp_path / "m.rlr", train))
    with pytest.raises(RouterlabError, match="cannot route raw prompts"):
        prompt_benchmark(["hello"], meta)


# ---- refusals --------------------------------------------------------------------------------------

@pytest.fixture
def saved(sim_split, tmp_path):
    train, _ = sim_split
    return save_router(rl.make_router("seq-cls").fit(train), tmp_path / "s.rlr", train), train


def _rewrite_meta(path, edit):
    with zipfile.ZipFile(path) as z:
        meta, arrays = json.loads(z.read("meta.json")), z.read("arrays.npz")
    edit(meta)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("meta.json", json.dumps(meta))
        z.writestr("arrays.npz", arrays)


def _one_line(exc_info) -> str:
    msg = str(exc_info.value)
    assert "\n" not in msg
    return msg


def test_other_format_version_refused(saved):
    path, _ = saved
    _rewrite_meta(path, lambda m: m.update(format_version=FORMAT_VERSION + 1))
    with pytest.raises(RouterlabError, match="format version 2") as e:
        load_router(path)
    assert "refit" in _one_line(e)


def test_truncated_and_garbage_refused(saved, tmp_path):
    path, _ = saved
    data = path.read_bytes()
    (tmp_path / "t.rlr").write_bytes(data[: len(data) // 2])
    with pytest.raises(RouterlabError, match="corrupt or truncated") as e:
        load_router(tmp_path / "t.rlr")
    _one_line(e)
    (tmp_path / "g.rlr").write_bytes(b"\x00\x01 not a zip at all")
    with pytest.raises(RouterlabError, match="corrupt or truncated"):
        load_router(tmp_path / "g.rlr")
    with pytest.raises(RouterlabError, match="does not exist"):
        load_router(tmp_path / "missing.rlr")


def test_tampered_arrays_refused(saved):
    path, _ = saved
    with zipfile.ZipFile(path) as z:
        meta = z.read("meta.json")
    buf = io.BytesIO()
    np.savez(buf, a0=np.zeros(3))
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("meta.json", meta)
        z.writestr("arrays.npz", buf.getvalue())
    with pytest.raises(RouterlabError, match="SHA-256"):
        load_router(path)


def test_unknown_router_name_refused(saved):
    path, _ = saved
    _rewrite_meta(path, lambda m: m["router"].update(name="telepathy"))
    with pytest.raises(RouterlabError, match="'telepathy', which this routerlab does not know") as e:
        load_router(path)
    _one_line(e)


def test_unknown_model_name_in_file_refused(saved):
    path, _ = saved

    def rename(meta):
        meta["models"][2]["name"] = "GPT-9"
    _rewrite_meta(path, rename)
    with pytest.raises(RouterlabError, match="unknown model: GPT-9") as e:
        load_router(path)
    _one_line(e)


def test_expected_models_must_match(saved):
    path, train = saved
    load_router(path, expected_models=train)                          # same models and prices: fine
    with pytest.raises(RouterlabError, match="unknown to it: GPT-9"):
        load_router(path, expected_models=train.model_names[:-1] + ["GPT-9"])
    with pytest.raises(RouterlabError, match="another order"):
        load_router(path, expected_models=train.model_names[::-1])
    dearer = tuple(replace(m, price_out=m.price_out * 2) for m in train.models)
    with pytest.raises(RouterlabError, match="with their prices"):
        load_router(path, expected_models=dearer)


def test_save_refuses_unfitted_and_mismatched(sim_split, tmp_path):
    train, _ = sim_split
    with pytest.raises(RouterlabError, match="must be fitted"):
        save_router(rl.make_router("mf"), tmp_path / "x.rlr", train)
    router = rl.make_router("mf").fit(train.select_models(train.model_names[:3]))
    with pytest.raises(RouterlabError, match="was fitted on models"):
        save_router(router, tmp_path / "x.rlr", train)
    assert not list(tmp_path.iterdir())


def test_read_prompt_file(tmp_path):
    f = tmp_path / "p.txt"
    f.write_text("\ufefffirst\n\nsecond\r\nthird\n", encoding="utf-8")
    assert read_prompt_file(f) == ["first", "second", "third"]
    f.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(RouterlabError, match="holds no prompts"):
        read_prompt_file(f)
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(RouterlabError, match="not text"):
        read_prompt_file(f)
    f.write_bytes(b"caf\xe9\n")
    with pytest.raises(RouterlabError, match="not UTF-8"):
        read_prompt_file(f)


# ---- command line ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def text_router(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    data = folder / "text.parquet"
    write_table(_text_bench(), data)
    out = folder / "mf.rlr"
    assert main(["fit", "--data", str(data), "--router", "mf", "--seed", "1", "--out", str(out)]) == 0
    return folder, out


def _err(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("routerlab: error: ") and "\n" not in err
    return err


def test_cli_fit_prints_what_it_saved(text_router, capsys, tmp_path):
    folder, _ = text_router
    out = tmp_path / "k.rlr"
    assert main(["fit", "--data", str(folder / "text.parquet"), "--router", "knn", "--train-share", "0.8",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "fitted knn (seed 0)" in text and "TF-IDF + SVD" in text and "held-out" in text and str(out) in text
    _, meta = load_router(out)
    assert meta["creation"]["rows"].startswith("stratified split, train share 0.8")


def test_cli_route_prompt_file_json(text_router, capsys, tmp_path):
    _, rlr = text_router
    f = tmp_path / "p.txt"
    f.write_text("how many apples in total\nthe atom and the cell\nphilosophy of law\n", encoding="utf-8")
    assert main(["route", "--router", str(rlr), "--prompts", str(f), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["prompts"]) == 3 and doc["dataset"] == UNKNOWN_DATASET
    for row in doc["prompts"]:
        assert len(row["models"]) == 6
        best = max(row["models"], key=lambda r: r["predicted_rs"])
        assert row["chosen"] == best["model"]
        for m in row["models"]:
            assert 0 <= m["p_success"] <= 1 and m["expected_cost_usd"] > 0
            assert m["predicted_rs"] <= m["p_success"] + 1e-12


def test_cli_route_table(text_router, capsys):
    _, rlr = text_router
    assert main(["route", "--router", str(rlr), "--prompt", "how many apples", "--dataset", "GSM8K"]) == 0
    text = capsys.readouterr().out
    assert "chosen: " in text and "predicted RS" in text and "dataset: GSM8K" in text


@pytest.mark.parametrize("content, message", [(b"", "holds no prompts"), (b"\x00\x01\x02\xff", "not text")])
def test_cli_route_bad_prompt_file(text_router, capsys, tmp_path, content, message):
    _, rlr = text_router
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    assert main(["route", "--router", str(rlr), "--prompts", str(f)]) == 2
    assert message in _err(capsys)


def test_cli_route_refusals(text_router, capsys, tmp_path):
    _, rlr = text_router
    assert main(["route", "--router", str(rlr)]) == 2
    assert "--prompt" in _err(capsys)
    assert main(["route", "--router", str(rlr), "--prompt", "x", "--dataset", "Nowhere"]) == 2
    assert "was not in the training data" in _err(capsys)
    assert main(["route", "--router", str(rlr), "--prompt", "x", "--models", "a,b"]) == 2
    assert "not the expected" in _err(capsys)
    (tmp_path / "junk.rlr").write_bytes(b"junk")
    assert main(["route", "--router", str(tmp_path / "junk.rlr"), "--prompt", "x"]) == 2
    assert "corrupt" in _err(capsys)


def test_cli_fit_refusals_write_nothing(text_router, capsys, tmp_path):
    folder, _ = text_router
    data = str(folder / "text.parquet")
    assert main(["fit", "--data", data, "--router", "mf", "--out", str(tmp_path / "no" / "r.rlr")]) == 2
    assert "does not exist" in _err(capsys)
    assert main(["fit", "--data", data, "--router", "mf", "--out", str(tmp_path / "r.json")]) == 2
    assert "must end in .rlr" in _err(capsys)
    assert main(["fit", "--data", data, "--router", "telepathy", "--out", str(tmp_path / "r.rlr")]) == 2
    assert "unknown router" in _err(capsys)
    assert main(["fit", "--data", data, "--router", "mf", "--train-share", "1.5", "--out", str(tmp_path / "r.rlr")]) == 2
    assert "out of range" in _err(capsys)
    assert not list(tmp_path.iterdir())


def test_cli_route_refuses_non_predictive_and_simulated_features(capsys, tmp_path):
    sim = str(tmp_path / "sim.parquet")
    write_table(rl.simulate(scale=0.005, seed=0), sim)
    for name, message in (("random", "no success predictions"), ("mf", "cannot route raw prompts")):
        out = tmp_path / f"{name}.rlr"
        assert main(["fit", "--data", sim, "--router", name, "--out", str(out)]) == 0
        capsys.readouterr()
        assert main(["route", "--router", str(out), "--prompt", "hello"]) == 2
        assert message in _err(capsys)


def test_cli_route_fan_out_calls_every_model_above_the_threshold(text_router, capsys):
    _, rlr = text_router
    args = ["route", "--router", str(rlr), "--prompt", "how many apples in total", "--json"]
    assert main(args + ["--threshold", "0"]) == 0
    row = json.loads(capsys.readouterr().out)["prompts"][0]
    assert len(row["fan_out"]) == 6                      # threshold 0: every model
    assert main(args + ["--threshold", "1"]) == 0
    row = json.loads(capsys.readouterr().out)["prompts"][0]
    assert row["fan_out"] == [row["chosen"]]             # threshold 1: only the best
    assert main(args + ["--threshold", "0", "--cap", "2"]) == 0
    row = json.loads(capsys.readouterr().out)["prompts"][0]
    ranked = sorted(row["models"], key=lambda r: -r["predicted_rs"])
    assert set(row["fan_out"]) == {r["model"] for r in ranked[:2]}


@pytest.mark.parametrize("extra, message", [
    (["--threshold", "1.5"], "fan-out threshold"), (["--threshold", "-0.1"], "fan-out threshold"),
    (["--threshold", "abc"], "fan-out threshold"), (["--cap", "2"], "--cap needs --threshold"),
    (["--threshold", "0.5", "--cap", "0"], "cap"),
])
def test_cli_route_bad_threshold_is_one_line(text_router, capsys, extra, message):
    _, rlr = text_router
    assert main(["route", "--router", str(rlr), "--prompt", "how many apples"] + extra) == 2
    assert message in _err(capsys)
