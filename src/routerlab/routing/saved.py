"""Saved routers: a fitted router in one file that runs no code when it is read, and routing raw prompts.

    router = rl.make_router("mf", seed=0).fit(train)
    save_router(router, "mf.rlr", train, features=fe)        # fe: the fitted text features, or None
    router, meta = load_router("mf.rlr", expected_models=train.model_names)
    bench = prompt_benchmark(["What is 2 + 2?"], meta)        # a prompt-only query set
    table = route_prompts(router, meta, ["What is 2 + 2?"])   # chosen model + per-model predictions

**The file** (``.rlr``) is a zip archive of two members:

* ``meta.json`` -- ``format`` ("routerlab-router"), ``format_version`` (:data:`FORMAT_VERSION`),
  ``routerlab_version``; ``router``: its name (as :func:`~routerlab.routing.routers.make_router` takes it),
  class and constructor parameters; ``models``: name, provider, tier, ``price_in`` and
  ``price_out`` (USD per 1M tokens) of every model, in column order; ``features``: the query
  feature pipeline (``kind`` and ``params``, see below); ``training``: the fingerprint of the
  training benchmark (:func:`routerlab.evaluation.protocol.benchmark_fingerprint`), its name, size and
  datasets; ``creation``: how the router was made (data, seed, split, ... as the caller states it;
  no clock time, so the same inputs give the same bytes); ``state``: the fitted attributes as JSON,
  each array replaced by a reference into ``arrays.npz``; ``arrays_sha256``: the digest of
  ``arrays.npz``.
* ``arrays.npz`` -- every array of the fitted state, read with ``allow_pickle=False``.

Nothing in the file names code to run: the router class is looked up by its registered name, and
the objects inside a router's state are rebuilt only from a fixed list of known classes (registered
routers -- a router may hold another, as the fan-out policy holds its base router --, the query encoder, the cost model, the logistic workhorse, the TF-IDF + SVD pipeline and three scikit-learn
estimators, ``TfidfVectorizer``, ``TruncatedSVD`` and ``MLPRegressor``, rebuilt from their
constructor parameters and fitted arrays). A file of another format version, a corrupt or
truncated file, an unknown router name, a model list that contradicts the fitted state, or (with
``expected_models``) a model list other than the one expected fails with one line.

**Feature pipelines** (``meta["features"]["kind"]``):

* ``"tfidf"`` -- :class:`~routerlab.routing.features.TfidfSvdFeatures` fitted on the training prompts;
  its vocabulary (an array of terms in column order), IDF weights and SVD components are saved,
  so the saved router turns raw prompt text into the features it was trained on.
* ``"minilm"`` -- pre-trained sentence embeddings (nothing fitted; the optional package is needed
  to route text).
* ``"none"`` -- the router reads no features (prompt length and dataset only); text routes fine.
* ``"given"`` -- the training benchmark came with its own features (the simulator's embeddings):
  the router routes benchmarks that carry features of the same width, not raw text.

**A prompt with no dataset label.** :func:`prompt_benchmark` labels prompt-only queries with
:data:`UNKNOWN_DATASET` (or a training dataset the caller names). A label unseen in training gets
what every router already does with an unseen dataset: the :class:`~routerlab.routing.predictive.QueryEncoder`
one-hot is all zeros; the expected answer length is the model's mean over ALL training rows
(``_CostModel.overall``); kNN searches every training query instead of one dataset's;
``dataset-best`` uses the overall training accuracies and the overall RS-best model. Prompt
tokens are counted offline with :func:`routerlab.data.tokens.count_tokens` (``regex``, cl100k-like).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Sequence

import numpy as np

from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import Model
from routerlab.errors import RouterlabError

__all__ = ["FORMAT_VERSION", "FILE_SUFFIX", "UNKNOWN_DATASET", "save_router", "load_router",
           "fit_router", "prompt_benchmark", "route_prompts", "read_prompt_file"]

#: Version of the file layout. A file of any other version is refused (refit it).
FORMAT_VERSION = 1
FILE_SUFFIX = ".rlr"
FORMAT_NAME = "routerlab-router"
#: Dataset label of a prompt-only query (no training dataset has it, so it counts as unseen).
UNKNOWN_DATASET = "(unknown dataset)"
_ZIP_DATE = (2024, 1, 1, 0, 0, 0)  # fixed member time: the same router gives the same bytes


# ---- the state codec: JSON with array references, and a closed list of rebuildable classes ------

def _routerlab_classes() -> dict:
    from routerlab.routing.predictive import QueryEncoder, _CostModel, _MultiLogistic
    from routerlab.routing.features import MiniLMFeatures, TfidfSvdFeatures

    return {c.__name__: c for c in (QueryEncoder, _CostModel, _MultiLogistic, TfidfSvdFeatures)} | {
        "MiniLMFeatures": MiniLMFeatures}


# Fitted attributes kept for each scikit-learn class (everything its transform/predict reads).
_SKLEARN_FITTED = {
    "TfidfVectorizer": ("idf_",),            # + vocabulary_, saved as an array of terms
    "TruncatedSVD": ("components_", "explained_variance_", "explained_variance_ratio_",
                     "singular_values_", "n_features_in_"),
    "MLPRegressor": ("coefs_", "intercepts_", "n_layers_", "n_outputs_", "out_activation_",
                     "n_features_in_", "n_iter_", "t_"),
}


def _sklearn_classes() -> dict:
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.neural_network import MLPRegressor

    return {"TfidfVectorizer": TfidfVectorizer, "TruncatedSVD": TruncatedSVD, "MLPRegressor": MLPRegressor}


class _Encoder:
    """Turns a fitted state into JSON + a dict of arrays (``arrays[key]``)."""

    def __init__(self, owner: str):
        self.owner, self.arrays = owner, {}

    def _array(self, a: np.ndarray, path: str) -> dict:
        key = f"a{len(self.arrays)}"
        if a.dtype == object:
            if not all(isinstance(x, str) for x in a.ravel()):
                raise RouterlabError(f"cannot save router {self.owner!r}: {path} is an object array "
                                     "holding something other than text")
            self.arrays[key] = np.asarray(a.tolist(), dtype=str).reshape(a.shape)
            return {"__strarray__": key}
        self.arrays[key] = a
        return {"__array__": key}

    def encode(self, v, path: str):
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, (int, float)) and not isinstance(v, np.generic):
            return v
        if isinstance(v, np.ndarray):
            return self._array(v, path)
        if isinstance(v, np.generic):  # a numpy scalar keeps its dtype as a 0-d array
            return {"__scalar__": self._array(np.asarray(v), path)["__array__"]}
        if isinstance(v, tuple):
            return {"__tuple__": [self.encode(x, f"{path}[{i}]") for i, x in enumerate(v)]}
        if isinstance(v, list):
            return [self.encode(x, f"{path}[{i}]") for i, x in enumerate(v)]
        if isinstance(v, dict):
            if not all(isinstance(k, str) for k in v):
                raise RouterlabError(f"cannot save router {self.owner!r}: {path} is a dict with non-text keys")
            return {"__dict__": {k: self.encode(x, f"{path}.{k}") for k, x in v.items()}}
        if isinstance(v, type) and issubclass(v, np.generic):  # e.g. dtype=np.float32
            return {"__dtype__": np.dtype(v).name}
        from routerlab.routing.routers import Router

        if isinstance(v, Router):  # a router inside a router (e.g. the fan-out policy's base router)
            return _encode_router(v, self, path)
        name = type(v).__name__
        if name in _routerlab_classes() and type(v) is _routerlab_classes()[name]:
            return {"__object__": name, "state": self.encode(dict(vars(v)), f"{path}.{name}")}
        if name in _SKLEARN_FITTED and type(v) is _sklearn_classes()[name]:
            params = v.get_params(deep=False)
            fitted = {k: getattr(v, k) for k in _SKLEARN_FITTED[name] if hasattr(v, k)}
            if name == "TfidfVectorizer":
                vocab = v.vocabulary_
                terms = np.empty(len(vocab), dtype=object)
                terms[np.fromiter(vocab.values(), dtype=np.intp, count=len(vocab))] = list(vocab)
                fitted["vocabulary_"] = terms
            return {"__sklearn__": name, "params": self.encode(params, f"{path}.params"),
                    "fitted": self.encode(fitted, f"{path}.fitted")}
        raise RouterlabError(f"cannot save router {self.owner!r}: {path} holds a {type(v).__module__}."
                             f"{type(v).__qualname__}, which this file format does not know")


class _Decoder:
    """The inverse of :class:`_Encoder`; anything unexpected is a corrupt file."""

    def __init__(self, arrays, where: str):
        self.arrays, self.where = arrays, where

    def _bad(self, what: str) -> RouterlabError:
        return RouterlabError(f"{self.where} is corrupt ({what}); refit and save it again")

    def _get(self, key):
        if not isinstance(key, str) or key not in self.arrays:
            raise self._bad(f"array {key!r} is missing")
        return self.arrays[key]

    def decode(self, v):
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, list):
            return [self.decode(x) for x in v]
        if not isinstance(v, dict) or not 1 <= len(v) <= 4:
            raise self._bad("unexpected entry in the state")
        if "__array__" in v:
            return self._get(v["__array__"])
        if "__strarray__" in v:
            return self._get(v["__strarray__"]).astype(object)
        if "__scalar__" in v:
            return self._get(v["__scalar__"])[()]
        if "__tuple__" in v:
            return tuple(self.decode(x) for x in v["__tuple__"])
        if "__dict__" in v:
            return {k: self.decode(x) for k, x in v["__dict__"].items()}
        if "__dtype__" in v:
            try:
                return np.dtype(v["__dtype__"]).type
            except TypeError:
                raise self._bad(f"unknown dtype {v['__dtype__']!r}") from None
        if "__object__" in v:
            cls = _routerlab_classes().get(v["__object__"])
            if cls is None:
                raise self._bad(f"unknown object kind {v['__object__']!r}")
            obj = cls.__new__(cls)
            state = self.decode(v.get("state"))
            if not isinstance(state, dict):
                raise self._bad(f"{v['__object__']} has no state")
            obj.__dict__.update(state)
            return obj
        if "__router__" in v:
            return _decode_router(v, self)
        if "__sklearn__" in v:
            name = v["__sklearn__"]
            cls = _sklearn_classes().get(name)
            if cls is None:
                raise self._bad(f"unknown estimator {name!r}")
            params, fitted = self.decode(v.get("params")), self.decode(v.get("fitted"))
            if not isinstance(params, dict) or not isinstance(fitted, dict):
                raise self._bad(f"{name} has no parameters")
            try:
                est = cls(**params)
            except TypeError as exc:
                raise self._bad(f"{name} parameters: {exc}") from None
            if name == "TfidfVectorizer":
                terms = fitted.pop("vocabulary_", None)
                if terms is None:
                    raise self._bad("the TF-IDF vocabulary is missing")
                est.vocabulary_ = {str(t): i for i, t in enumerate(terms)}
                est.fixed_vocabulary_ = False
            for k, x in fitted.items():
                setattr(est, k, x)
            return est
        raise self._bad("unexpected entry in the state")


def _router_class(name: str, where: str):
    """The class that ``make_router(name)`` builds; one-line error for a name this routerlab lacks."""
    from routerlab.routing.routers import make_router, router_names

    try:
        return type(make_router(name, seed=0))
    except RouterlabError:
        known = ", ".join(x for x in router_names() if x != "fixed:<model>")
        raise RouterlabError(f"{where} holds router {name!r}, which this routerlab does not know "
                             f"(known: {known}, fixed:<model>)") from None


def _encode_router(router, enc: "_Encoder", path: str) -> dict:
    """``{"__router__": name, "class", "params", "fitted"}``: attributes ending in ``_`` are fitted."""
    cls = _router_class(router.name, f"router {enc.owner!r} at {path}")
    if cls is not type(router):
        raise RouterlabError(f"cannot save a {type(router).__name__} under the name {router.name!r}, "
                             f"which builds a {cls.__name__}")
    params = {k: x for k, x in vars(router).items() if not k.endswith("_")}
    fitted = {k: x for k, x in vars(router).items() if k.endswith("_")}
    return {"__router__": router.name, "class": f"{cls.__module__}.{cls.__qualname__}",
            "params": enc.encode(params, f"{path}.params"), "fitted": enc.encode(fitted, f"{path}.fitted")}


def _decode_router(v: dict, dec: "_Decoder"):
    name = v.get("__router__")
    if not isinstance(name, str):
        raise dec._bad("a router without a name")
    cls = _router_class(name, dec.where)
    if v.get("class") != f"{cls.__module__}.{cls.__qualname__}":
        raise RouterlabError(f"{dec.where} holds a {v.get('class')!r} under the name {name!r}, "
                             f"which here is a {cls.__qualname__}")
    params, fitted = dec.decode(v.get("params")), dec.decode(v.get("fitted"))
    if not isinstance(params, dict) or not isinstance(fitted, dict):
        raise dec._bad(f"router {name!r} has no fitted state")
    router = cls.__new__(cls)
    router.__dict__.update(params)
    router.__dict__.update(fitted)
    return router


# ---- save -------------------------------------------------------------------------------------------

def _models_meta(models: Sequence[Model]) -> list[dict]:
    return [{"name": m.name, "provider": m.provider, "tier": m.tier,
             "price_in": float(m.price_in), "price_out": float(m.price_out)} for m in models]


def _feature_kind(features, train: Benchmark) -> str:
    if features is None:
        return "none" if train.features is None else "given"
    name = type(features).__name__
    if name == "TfidfSvdFeatures":
        if not hasattr(features, "svd_"):
            raise RouterlabError("the text features passed to save_router are not fitted")
        return "tfidf"
    if name == "MiniLMFeatures":
        return "minilm"
    raise RouterlabError(f"cannot save a feature pipeline of type {name}; use TfidfSvdFeatures or MiniLMFeatures")


def save_router(router, path, train: Benchmark, *, features=None, creation: dict | None = None) -> Path:
    """Write the fitted ``router`` to ``path`` (a ``.rlr`` zip; see the module docstring); return the path.

    ``train``: the benchmark the router was fitted on (with the features it saw); its model list
    (names, providers, tiers, prices) and fingerprint go into the file. ``features``: the fitted
    text-feature extractor that produced ``train.features`` from ``train.prompts``
    (:class:`~routerlab.routing.features.TfidfSvdFeatures`), or None. ``creation``: JSON-able notes on
    how the router was made (data source, seed, split). The file is written to a temporary name
    in the same folder and renamed, so a failure leaves nothing half-written.
    """
    from routerlab._version import __version__
    from routerlab.data.benchmark import benchmark_fingerprint

    path = Path(path)
    names = getattr(router, "model_names_", None)
    if names is None:
        raise RouterlabError(f"router {getattr(router, 'name', router)!r} must be fitted before saving")
    if list(names) != train.model_names:
        raise RouterlabError(f"router {router.name!r} was fitted on models {list(names)}, "
                             f"but the training benchmark given has {train.model_names}")
    kind = _feature_kind(features, train)
    if kind in ("tfidf", "minilm") and train.features is None:
        raise RouterlabError("text features were given but the training benchmark has no features; "
                             "fit the router on the benchmark with the features attached")
    enc = _Encoder(router.name)
    state = _encode_router(router, enc, "router")
    params = {k: v for k, v in vars(router).items() if not k.endswith("_")}
    feat_state = enc.encode(features, "features") if kind in ("tfidf", "minilm") else None
    feat_params = ({k: v for k, v in vars(features).items() if not k.endswith("_")}
                   if features is not None else {})
    arrays_buf = io.BytesIO()
    np.savez(arrays_buf, **enc.arrays)
    arrays_bytes = arrays_buf.getvalue()
    meta = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "routerlab_version": __version__,
        "router": {"name": router.name, "class": f"{type(router).__module__}.{type(router).__qualname__}",
                   "params": json.loads(json.dumps(params, default=repr))},
        "models": _models_meta(train.models),
        "features": {"kind": kind, "params": json.loads(json.dumps(feat_params, default=repr)),
                     "dim": None if train.features is None else int(train.features.shape[1]),
                     "state": feat_state},
        "training": {"fingerprint": benchmark_fingerprint(train), "name": train.name,
                     "n_queries": int(train.n_queries), "datasets": train.dataset_names,
                     "simulated": bool(train.simulated), "cost_estimated": bool(train.cost_estimated)},
        "creation": creation or {},
        "state": state,
        "arrays_sha256": hashlib.sha256(arrays_bytes).hexdigest(),
    }
    meta_bytes = json.dumps(meta, indent=1, sort_keys=False, allow_nan=True).encode("utf-8")
    if path.is_dir():
        raise RouterlabError(f"{str(path)!r} is a folder; give a file name ending in {FILE_SUFFIX}")
    if not path.parent.is_dir():
        raise RouterlabError(f"folder {str(path.parent)!r} does not exist; create it first")
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=FILE_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
            for member, data in (("meta.json", meta_bytes), ("arrays.npz", arrays_bytes)):
                info = zipfile.ZipInfo(member, date_time=_ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# ---- load -------------------------------------------------------------------------------------------

def _read_members(path: Path) -> tuple[dict, bytes]:
    where = f"router file {str(path)!r}"
    if not path.exists():
        raise RouterlabError(f"{where} does not exist")
    if path.is_dir():
        raise RouterlabError(f"{where} is a folder, not a saved router")
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if not {"meta.json", "arrays.npz"} <= names:
                raise RouterlabError(f"{where} is not a saved router (no meta.json and arrays.npz inside)")
            meta_bytes, arrays_bytes = z.read("meta.json"), z.read("arrays.npz")
    except RouterlabError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        raise RouterlabError(f"{where} is corrupt or truncated, or not a saved router "
                             f"({type(exc).__name__}: {' '.join(str(exc).split())})") from None
    except Exception as exc:  # zlib.error and friends from a damaged archive
        raise RouterlabError(f"{where} is corrupt or truncated ({type(exc).__name__})") from None
    try:
        meta = json.loads(meta_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise RouterlabError(f"{where} is corrupt (meta.json is not valid JSON)") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise RouterlabError(f"{where} is not a saved routerlab router (meta.json has no "
                             f"format {FORMAT_NAME!r})")
    return meta, arrays_bytes


def _check_expected(where: str, models: list[dict], expected) -> None:
    if expected is None:
        return
    if isinstance(expected, Benchmark):
        expected = expected.models
    expected = list(expected)
    saved_names = [m["name"] for m in models]
    if all(isinstance(x, Model) for x in expected):
        want = _models_meta(expected)
        if want != models:
            diff = [f"{a['name']}" for a, b in zip(want, models) if a != b] or ["the number of models"]
            raise RouterlabError(f"{where} was fitted on models {saved_names} (with their prices), "
                                 f"which differ from the expected ones (first difference: {diff[0]})")
        return
    expected = [str(x) for x in expected]
    if expected != saved_names:
        missing = [x for x in expected if x not in saved_names]
        extra = [x for x in saved_names if x not in expected]
        detail = (f"unknown to it: {', '.join(missing)}" if missing else
                  f"not expected: {', '.join(extra)}" if extra else "same models, another order")
        raise RouterlabError(f"{where} was fitted on models {saved_names}, not the expected "
                             f"{expected} ({detail})")


def load_router(path, expected_models=None):
    """Read a router saved by :func:`save_router`; return ``(router, meta)``.

    ``router`` is the fitted router, ready for ``route``/``predict_proba``. ``meta`` is the parsed
    ``meta.json`` (without ``state``) plus ``meta["pipeline"]``: the rebuilt feature extractor
    (``TfidfSvdFeatures``, ``MiniLMFeatures``) or None. ``expected_models``: None, or the model
    list the caller will route over (names, :class:`~routerlab.data.catalog.Model` objects -- then the
    prices must match too -- or a :class:`~routerlab.data.benchmark.Benchmark`); any difference fails.
    Every failure (missing, corrupt, truncated or foreign file, another format version, unknown
    router name, a model list that contradicts the fitted state) is one :class:`RouterlabError` line.
    """
    from routerlab._version import __version__

    path = Path(path)
    where = f"router file {str(path)!r}"
    meta, arrays_bytes = _read_members(path)
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise RouterlabError(f"{where} has format version {version!r} (written by routerlab "
                             f"{meta.get('routerlab_version', '?')}); this routerlab {__version__} reads "
                             f"format version {FORMAT_VERSION} only: refit it with 'routerlab fit'")
    if hashlib.sha256(arrays_bytes).hexdigest() != meta.get("arrays_sha256"):
        raise RouterlabError(f"{where} is corrupt (arrays.npz does not match its recorded SHA-256)")
    info = meta.get("router") or {}
    name = info.get("name")
    if not isinstance(name, str):
        raise RouterlabError(f"{where} is corrupt (no router name)")
    _router_class(name, where)  # unknown name: one line before anything else is read
    models = meta.get("models")
    if not isinstance(models, list) or not all(isinstance(m, dict) and {"name", "provider", "tier", "price_in",
                                                                      "price_out"} <= set(m) for m in models):
        raise RouterlabError(f"{where} is corrupt (the model list is malformed)")
    try:
        with np.load(io.BytesIO(arrays_bytes), allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except ValueError as exc:  # an object array would need pickle: refused
        raise RouterlabError(f"{where} is corrupt or unsafe (arrays.npz: {' '.join(str(exc).split())})") from None
    except Exception as exc:
        raise RouterlabError(f"{where} is corrupt (arrays.npz: {type(exc).__name__})") from None
    dec = _Decoder(arrays, where)
    state = meta.get("state")
    if not isinstance(state, dict) or state.get("__router__") != name:
        raise RouterlabError(f"{where} is corrupt (its state is not that of router {name!r})")
    router = _decode_router(state, dec)
    saved_names = [m["name"] for m in models]
    fitted_names = list(getattr(router, "model_names_", []) or [])
    if fitted_names != saved_names:
        unknown = [x for x in saved_names if x not in fitted_names]
        raise RouterlabError(f"{where} lists models {saved_names} but its router was fitted on "
                             f"{fitted_names}" + (f" (unknown model: {unknown[0]})" if unknown else ""))
    cost_model = getattr(router, "cost_model_", None)
    if cost_model is not None:
        prices = np.array([[m["price_in"], m["price_out"]] for m in models], dtype=np.float64)
        if not np.array_equal(prices, np.column_stack([cost_model.price_in, cost_model.price_out])):
            raise RouterlabError(f"{where} lists model prices that differ from those its router was fitted with")
    _check_expected(where, models, expected_models)
    feats = meta.get("features") or {}
    pipeline = dec.decode(feats.get("state")) if feats.get("kind") in ("tfidf", "minilm") else None
    out = {k: v for k, v in meta.items() if k != "state"}
    out["features"] = {k: v for k, v in feats.items() if k != "state"}
    out["pipeline"] = pipeline
    out["path"] = str(path)
    return router, out


# ---- fitting for serving ----------------------------------------------------------------------------

def fit_router(bench: Benchmark, name: str, *, seed: int = 0, features: str = "auto",
               train_share: float | None = None, feature_dim: int = 64, **options):
    """Fit router ``name`` for saving: ``(router, train, pipeline, test_rows)``.

    ``features``: ``"auto"`` (as :func:`routerlab.evaluation.protocol.evaluate` does: TF-IDF + SVD of the
    prompts when the benchmark has prompts and no features, else whatever it has), ``"tfidf"``
    (text features from the prompts even if the benchmark has features) or ``"given"`` (the
    benchmark's own features, or none). The extractor (``feature_dim`` columns, ``seed``) is
    fitted on the training prompts only. ``train_share``: None fits on every row; a share in
    (0, 1) fits on the training rows of :func:`routerlab.evaluation.protocol.stratified_split` with
    ``test_size = 1 - train_share`` and ``seed`` (``test_rows`` are the held-out row indices,
    else an empty array). ``train`` is the benchmark the router saw, features attached.
    """
    from dataclasses import replace

    from routerlab.errors import check_choice, check_range
    from routerlab.data.splits import stratified_split
    from routerlab.routing.routers import make_router
    from routerlab.routing.features import make_text_features

    check_choice("feature pipeline", features, ("auto", "tfidf", "given"))
    router = make_router(name, seed=seed, **options)  # unknown name/option -> error before any work
    if train_share is None:
        train_rows, test_rows = np.arange(bench.n_queries), np.arange(0, dtype=np.intp)
    else:
        share = check_range("train share", train_share, 0.0, 1.0, lo_open=True, hi_open=True)
        train_rows, test_rows = stratified_split(bench, test_size=1.0 - share, seed=seed)
    train = bench.rows(train_rows)
    kind = features
    if kind == "auto":
        kind = "tfidf" if bench.features is None and bench.prompts is not None else "given"
    pipeline = None
    if kind == "tfidf":
        if bench.prompts is None:
            raise RouterlabError(f"features 'tfidf' need prompt texts; {bench.name} has none")
        pipeline = make_text_features("tfidf", dim=feature_dim, seed=seed).fit(train.prompts)
        train = replace(train, features=pipeline.transform(train.prompts))
    router.fit(train)
    return router, train, pipeline, test_rows


# ---- prompts ----------------------------------------------------------------------------------------

def read_prompt_file(path) -> list[str]:
    """The prompts of a UTF-8 text file, one per line (``\n`` or ``\r\n``; blank lines skipped, a BOM
    ignored).

    An empty file (or one with only blank lines), a file that is not UTF-8 text (NUL bytes or
    invalid UTF-8) or a missing file fails with one line.
    """
    path = Path(path)
    if not path.is_file():
        raise RouterlabError(f"prompt file {str(path)!r} does not exist" if not path.exists()
                             else f"prompt file {str(path)!r} is not a file")
    data = path.read_bytes()
    if b"\x00" in data:
        raise RouterlabError(f"prompt file {str(path)!r} is not text (it contains NUL bytes); "
                             "give UTF-8 text, one prompt per line")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RouterlabError(f"prompt file {str(path)!r} is not UTF-8 text (bad byte at offset {exc.start}); "
                             "give UTF-8 text, one prompt per line") from None
    # lines end at "\n" or "\r\n" only: str.splitlines would also split at form feeds, U+2028
    # and other characters that may sit inside one prompt
    lines = (line[:-1] if line.endswith("\r") else line for line in text.split("\n"))
    prompts = [line for line in lines if line.strip()]
    if not prompts:
        raise RouterlabError(f"prompt file {str(path)!r} holds no prompts (it is empty); give one prompt per line")
    return prompts


def prompt_benchmark(prompts, meta: dict, dataset: str | None = None) -> Benchmark:
    """A test benchmark of prompt-only queries for a router loaded with :func:`load_router`.

    ``prompts`` (n,) str; ``meta`` from :func:`load_router` (models and feature pipeline);
    ``dataset``: a training dataset the prompts belong to, or None for :data:`UNKNOWN_DATASET`
    (see the module docstring). ``quality`` and ``cost`` are NaN (n, m): unknown before answering.
    ``prompt_tokens`` (n,) from :func:`routerlab.data.tokens.count_tokens`; ``features`` (n, d) from the
    saved pipeline. A router trained on given (simulated) features cannot read raw text: one-line error.
    """
    from routerlab.data.tokens import count_tokens

    prompts = np.asarray([str(p) for p in np.asarray(prompts, dtype=object).ravel()], dtype=object)
    if prompts.size == 0:
        raise RouterlabError("no prompts to route")
    where = meta.get("path", "the saved router")
    training = meta.get("training", {})
    if dataset is None:
        dataset = UNKNOWN_DATASET
    elif dataset not in training.get("datasets", []):
        raise RouterlabError(f"dataset {dataset!r} was not in the training data of {where}; "
                             f"choose one of: {', '.join(training.get('datasets', []))} (or omit it)")
    kind = meta.get("features", {}).get("kind")
    if kind == "given":
        raise RouterlabError(f"{where} was trained on the features that came with {training.get('name')!r} "
                             "(not computed from text), so it cannot route raw prompts; fit on data with "
                             "prompt texts (e.g. --data routerbench-subset)")
    features = None
    if kind in ("tfidf", "minilm"):
        features = meta["pipeline"].transform(prompts)
    elif kind != "none":
        raise RouterlabError(f"{where} has an unknown feature pipeline {kind!r}")
    models = tuple(Model(m["name"], m["provider"], m["tier"], m["price_in"], m["price_out"]) for m in meta["models"])
    n, m = prompts.size, len(models)
    return Benchmark(quality=np.full((n, m), np.nan), cost=np.full((n, m), np.nan), models=models,
                     sample_ids=np.array([f"prompt-{i + 1}" for i in range(n)]),
                     datasets=np.full(n, dataset, dtype=object), prompt_tokens=count_tokens(prompts),
                     features=features, prompts=prompts, name="prompts")


def route_prompts(router, meta: dict, prompts, dataset: str | None = None) -> dict:
    """Route raw ``prompts`` with a loaded predictive router; a dict of arrays.

    ``choice`` (n,) int (what ``router.route`` picks), ``chosen`` (n,) model names,
    ``p_success``, ``expected_cost`` (USD) and ``rs`` (n, m) from
    :func:`routerlab.routing.predictive.predicted_rs`, ``prompt_tokens`` (n,), ``models`` (m,) names,
    ``dataset`` (the label used). Routers that read test truth or response confidences cannot
    route a prompt and fail with one line.
    """
    from routerlab.routing.predictive import PredictiveRouter, predicted_rs

    if getattr(router, "uses_truth", False):
        raise RouterlabError(f"router {router.name!r} is a bound that reads the realised outcomes; "
                             "it cannot route a prompt that has not been answered")
    if not isinstance(router, PredictiveRouter):
        raise RouterlabError(f"router {router.name!r} makes no success predictions; routerlab route "
                             "serves the predictive routers (mf, seq-cls, bert-cls, causal-lm, knn, mlp, "
                             "dataset-best)")
    bench = prompt_benchmark(prompts, meta, dataset)
    p, cost, rs = predicted_rs(router, bench)
    choice = router.route(bench).choice
    names = np.array(bench.model_names, dtype=object)
    return {"choice": choice, "chosen": names[choice], "p_success": p, "expected_cost": cost, "rs": rs,
            "prompt_tokens": bench.prompt_tokens, "models": list(bench.model_names),
            "dataset": str(bench.datasets[0]), "prompts": list(bench.prompts)}
