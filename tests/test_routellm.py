"""The RouteLLM loader: real files (skipped when absent), integrity checks, the download path."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

import routerlab.data.sources as sources
import routerlab.data.sources._base as base
import routerlab.data.sources.routellm as rl_routellm
from routerlab.data.sources import _fetch
from routerlab.errors import RouterlabError
from routerlab.data.sources.routellm import download_routellm, expected_digests, find_routellm_dir, load_routellm

from routerlab.data import sources as _sources

# the folder every command reads (the data root, ../shared/data, or the per-user fetch folder)
REAL = _sources.find("routellm") or Path(__file__).resolve().parents[2] / "shared" / "data" / "routellm"
needs_real = pytest.mark.skipif(not (REAL / "gsm8k" / "gsm8k_responses.csv").is_file(),
                                reason="RouteLLM files not found beside the repo")


@pytest.fixture(scope="module")
def real():
    return load_routellm(REAL, download=False)


def test_package_digests_match_shared_copy():
    digests = expected_digests()
    assert len(digests) == 57 + 4  # 57 subjects, 2 contamination lists, GSM8K, LICENSE
    assert len(rl_routellm.MMLU_SUBJECTS) == 57
    shared = REAL / "SHA256SUMS"
    if shared.is_file():
        theirs = dict(reversed(line.split(maxsplit=1)) for line in shared.read_text().splitlines() if line)
        assert {k.removeprefix("./"): v for k, v in theirs.items()} == digests


def test_is_a_source_module():
    assert "routellm" in sources.names() and sources.module("routellm") is rl_routellm
    assert set(rl_routellm.files()) <= set(expected_digests()) and len(rl_routellm.files()) == 57 + 3
    assert "LICENSE" not in rl_routellm.files()


@needs_real
def test_real_counts_and_accuracies(real):
    assert real.n_queries == 14_037 + 1_307
    assert real.model_names == ["Mixtral-8x7B-Instruct", "GPT-4-1106-preview"]
    mmlu, gsm = real.dataset_mask("MMLU"), real.dataset_mask("GSM8K")
    assert mmlu.sum() == 14_037 and gsm.sum() == 1_307
    # RouteLLM's published accuracies on the decontaminated sets (spec 3.3)
    np.testing.assert_allclose(real.quality[mmlu].mean(0), [0.6809, 0.8059], atol=5e-5)
    np.testing.assert_allclose(real.quality[gsm].mean(0), [0.6373, 0.8577], atol=5e-5)
    assert set(np.unique(real.quality)) == {0.0, 1.0}
    assert len(set(real.sample_ids)) == real.n_queries
    assert real.sample_ids[0] == "mmlu-abstract-algebra.0000"
    assert len(set(real.subsets[mmlu])) == 57 and set(real.subsets[gsm]) == {"GSM8K"}
    # token counts x list prices: flagged as estimated, with the dropped rows counted
    assert real.cost_estimated and not real.simulated
    assert real.provenance["rows read"] == 14_042 + 1_319 and real.provenance["contaminated rows"] == 17
    assert real.provenance["rows kept"] == real.n_queries


@needs_real
def test_registry_load_equals_load_routellm(real):
    via_registry = sources.load("routellm", REAL.parent)
    np.testing.assert_array_equal(via_registry.quality, real.quality)
    np.testing.assert_array_equal(via_registry.cost, real.cost)


@needs_real
def test_real_joint_outcomes_and_contamination():
    full = load_routellm(REAL, datasets=("MMLU",), drop_contaminated=False, download=False)
    assert full.n_queries == 14_042
    q = full.quality
    # spec 3.3 joint outcomes: both right 8,818; weak wrong & strong right 2,497; both wrong 1,985
    assert int(((q[:, 0] == 1) & (q[:, 1] == 1)).sum()) == 8_818
    assert int(((q[:, 0] == 0) & (q[:, 1] == 1)).sum()) == 2_497
    assert int(((q[:, 0] == 0) & (q[:, 1] == 0)).sum()) == 1_985
    gsm = load_routellm(REAL, datasets="GSM8K", drop_contaminated=False, download=False)
    assert gsm.n_queries == 1_319 and int(gsm.quality[:, 1].sum()) == 1_130


@needs_real
def test_real_costs_follow_tokens_and_prices(real):
    mmlu = real.dataset_mask("MMLU")
    assert (real.answer_tokens[mmlu] == 1).all()
    assert (real.answer_tokens[~mmlu] > 1).mean() > 0.99  # GSM8K answers are real texts
    expect = real.prompt_tokens[:, None] * real.price_in / 1e6 + real.answer_tokens * real.price_out / 1e6
    np.testing.assert_allclose(real.cost, expect)
    assert (real.cost[:, 1] > 10 * real.cost[:, 0]).all()  # GPT-4 is far dearer on every query
    pricier = load_routellm(REAL, datasets="GSM8K", prices={"Mixtral-8x7B-Instruct": (1.2, 1.2)}, download=False)
    base = real.rows(~mmlu)
    np.testing.assert_allclose(pricier.cost[:, 0], 2 * base.cost[:, 0])
    with pytest.raises(RouterlabError, match="unknown model"):
        load_routellm(REAL, prices={"GPT-4o": (1, 1)}, download=False)


def _copy_subset(dst: Path, datasets=("GSM8K",)) -> Path:
    for rel in rl_routellm._files_for(datasets):
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REAL / rel, dst / rel)
    return dst


@needs_real
def test_corrupted_file_names_the_file(tmp_path):
    folder = _copy_subset(tmp_path / "copy")
    target = folder / "gsm8k" / "gsm8k_responses.csv"
    target.write_bytes(target.read_bytes().replace(b"True", b"False", 1))
    with pytest.raises(RouterlabError, match=r"gsm8k_responses\.csv is corrupted") as err:
        load_routellm(folder, datasets="GSM8K", download=False)
    assert "\n" not in str(err.value)


@needs_real
def test_env_var_and_parent_folder(tmp_path, monkeypatch):
    _copy_subset(tmp_path / "routellm")
    monkeypatch.setenv("ROUTERLAB_DATA_DIR", str(tmp_path))  # new form: the data root, routellm/ inside
    assert find_routellm_dir(None, ("GSM8K",)) == tmp_path / "routellm"
    assert load_routellm(datasets="GSM8K").n_queries == 1_307
    monkeypatch.setenv("ROUTERLAB_DATA_DIR", str(tmp_path / "routellm"))  # old form: the folder itself
    assert find_routellm_dir(None, ("GSM8K",)) == tmp_path / "routellm"
    # an explicit folder wins over the variable, in both forms too
    other = _copy_subset(tmp_path / "elsewhere" / "routellm")
    assert find_routellm_dir(other.parent, ("GSM8K",)) == other
    assert find_routellm_dir(other, ("GSM8K",)) == other


@needs_real
def test_download_cache_is_searched_last(tmp_path, monkeypatch):
    monkeypatch.setattr(base, "_repo_roots", lambda: [])
    monkeypatch.delenv("ROUTERLAB_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert find_routellm_dir(None, ("GSM8K",)) is None
    _copy_subset(rl_routellm.cache_dir())
    assert find_routellm_dir(None, ("GSM8K",)) == rl_routellm.cache_dir()
    assert find_routellm_dir(tmp_path, ("GSM8K",)) is None  # an explicit folder never falls back


def test_missing_explicit_folder(tmp_path):
    with pytest.raises(RouterlabError, match="does not hold the RouteLLM files"):
        load_routellm(tmp_path, download=False)
    with pytest.raises(RouterlabError, match="unknown RouteLLM dataset"):
        load_routellm(tmp_path, datasets=("MT-Bench",))


@needs_real
def test_download_verifies_then_caches(tmp_path, monkeypatch):
    """download=True goes through the one fetcher (routerlab.data.sources._fetch), here from a
    mirror folder laid out like the data root; the pinned URLs all carry the commit."""
    mirror = tmp_path / "mirror"
    _copy_subset(mirror / "routellm")
    shutil.copyfile(REAL / "LICENSE", mirror / "routellm" / "LICENSE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    dest = download_routellm(datasets=("GSM8K",), mirror=str(mirror))
    assert dest == tmp_path / "cache" / "routerlab" / "data" / "routellm" == rl_routellm.cache_dir()
    data = (dest / "gsm8k" / "gsm8k_responses.csv").read_bytes()
    assert hashlib.sha256(data).hexdigest() == expected_digests()["gsm8k/gsm8k_responses.csv"]
    assert sorted(p.name for p in dest.rglob("*") if p.is_file()) == [
        "LICENSE", "contaminated_prompts.jsonl", "gsm8k_responses.csv"]  # no .part left
    assert all(rl_routellm.COMMIT in e.url for e in _fetch.manifest("routellm"))


@needs_real
def test_download_mismatch_caches_nothing(tmp_path):
    mirror = tmp_path / "mirror"
    _copy_subset(mirror / "routellm")
    shutil.copyfile(REAL / "LICENSE", mirror / "routellm" / "LICENSE")
    target = mirror / "routellm" / "gsm8k" / "gsm8k_responses.csv"
    target.write_bytes(target.read_bytes() + b"x")
    dest = tmp_path / "cache" / "routellm"
    with pytest.raises(RouterlabError, match=r"gsm8k/gsm8k_responses\.csv \(SHA-256 mismatch\)"):
        download_routellm(dest, datasets=("GSM8K",), mirror=str(mirror))
    assert not (dest / "gsm8k" / "gsm8k_responses.csv").exists()
    assert not list(dest.rglob("*.part"))


@needs_real
def test_download_from_file_url(tmp_path):
    mirror = tmp_path / "mirror"
    _copy_subset(mirror / "routellm")
    shutil.copyfile(REAL / "LICENSE", mirror / "routellm" / "LICENSE")
    dest = download_routellm(tmp_path / "dest" / "routellm", datasets=("GSM8K",), mirror=mirror.as_uri())
    assert load_routellm(dest, datasets="GSM8K", download=False).n_queries == 1_307


def test_no_data_and_no_download_says_how(tmp_path, monkeypatch):
    monkeypatch.setattr(base, "_repo_roots", lambda: [])
    monkeypatch.delenv("ROUTERLAB_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(RouterlabError, match="ROUTERLAB_DATA_DIR"):
        load_routellm(download=False)
