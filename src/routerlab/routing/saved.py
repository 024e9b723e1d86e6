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
routers -- a router may hold another, as the fan-out policy holds its base router --, the query encoder, the cost model, the logistic workhorse, the TF-IDF + SVD pipeline and two scikit-learn
estimators, ``TfidfVectorizer`` and ``TruncatedSVD``, rebuilt from their
constructor parameters and fitted arrays). A file of another format version, a corrupt or
truncated file, an unknown router name, a model list that contradicts the fitted state, or (with
``expected_models``) a model list other than the one expected fails with one line.

**A file is read as hostile.** :func:`load_router` opens only a regular file (a FIFO, ``/dev/zero``
or a folder is refused before a byte is read) of at most :data:`MAX_FILE_BYTES`; it holds exactly the
two members, decompressed up to :data:`MAX_META_BYTES` / :data:`MAX_ARRAYS_BYTES` (declared and
actual size); every ``.npy`` header is checked (bool, integer, float or text dtype, a shape that
accounts for exactly its bytes) before an array is built; every entry of the state is type-checked;
scikit-learn estimators are rebuilt from an allow-list of parameters with bounds
(:data:`_SKLEARN_PARAMS`: scikit-learn's default token pattern or the one alternative in
:data:`TOKEN_PATTERNS`, never another regular expression; word n-grams up to :data:`MAX_WORD_NGRAM`,
character n-grams up to :data:`MAX_CHAR_NGRAM`; at most :data:`MAX_VOCABULARY` terms and
:data:`MAX_COMPONENTS` SVD components; every other parameter at its default) and fitted attributes
of the right type, shape and size; router options pass
:func:`~routerlab.routing.routers.validate_options`; and the loaded router routes a few probe prompts.
Anything else is one :class:`~routerlab.errors.RouterlabError` line.

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
import math
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
}


def _sklearn_classes() -> dict:
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    return {"TfidfVectorizer": TfidfVectorizer, "TruncatedSVD": TruncatedSVD}


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
    """The inverse of :class:`_Encoder`; anything unexpected is a corrupt file.

    Every entry is type-checked as it is read (an object where one is expected, text keys, arrays
    that exist); scikit-learn estimators are rebuilt only from :data:`_SKLEARN_PARAMS` (see
    :func:`_rebuild_sklearn`); objects and routers get only plain attribute names.
    """

    def __init__(self, arrays, where: str):
        self.arrays, self.where = arrays, where

    def _bad(self, what: str) -> RouterlabError:
        return RouterlabError(f"{self.where} is corrupt ({what}); refit and save it again")

    def _get(self, key):
        if not isinstance(key, str) or key not in self.arrays:
            raise self._bad(f"array {str(key)[:40]!r} is missing")
        return self.arrays[key]

    def attributes(self, v, what: str) -> dict:
        """A decoded ``{name: value}`` whose names are plain attribute names (no dunders)."""
        state = self.decode(v)
        if not isinstance(state, dict) or not all(isinstance(k, str) and k.isidentifier() and not k.startswith("__")
                                                  for k in state):
            raise self._bad(f"{what} has no valid state")
        return state

    def decode(self, v):
        if v is None or isinstance(v, (bool, int, float, str)):  # NaN/inf too (an unbounded margin)
            return v
        if isinstance(v, list):
            return [self.decode(x) for x in v]
        if not isinstance(v, dict) or not 1 <= len(v) <= 4:
            raise self._bad("unexpected entry in the state")
        if "__array__" in v:
            return self._get(v["__array__"])
        if "__strarray__" in v:
            a = self._get(v["__strarray__"])
            if a.dtype.kind != "U":
                raise self._bad("a text array holds numbers")
            return a.astype(object)
        if "__scalar__" in v:
            a = self._get(v["__scalar__"])
            if a.ndim != 0:
                raise self._bad("a number is stored as an array")
            return a[()]
        if "__tuple__" in v:
            if not isinstance(v["__tuple__"], list):
                raise self._bad("a tuple is not a list")
            return tuple(self.decode(x) for x in v["__tuple__"])
        if "__dict__" in v:
            if not isinstance(v["__dict__"], dict):
                raise self._bad("a mapping is not an object")
            return {k: self.decode(x) for k, x in v["__dict__"].items()}
        if "__dtype__" in v:
            if v["__dtype__"] not in _DTYPES:
                raise self._bad(f"unknown dtype {str(v['__dtype__'])[:40]!r}")
            return np.dtype(v["__dtype__"]).type
        if "__object__" in v:
            kind = v["__object__"]
            cls = _routerlab_classes().get(kind) if isinstance(kind, str) else None
            if cls is None:
                raise self._bad(f"unknown object kind {str(kind)[:40]!r}")
            state = self.attributes(v.get("state"), kind)
            obj = cls.__new__(cls)
            obj.__dict__.update(state)
            return obj
        if "__router__" in v:
            return _decode_router(v, self)
        if "__sklearn__" in v:
            name = v["__sklearn__"]
            if not isinstance(name, str) or name not in _SKLEARN_PARAMS:
                raise self._bad(f"unknown estimator {str(name)[:40]!r}")
            params, fitted = self.decode(v.get("params")), self.decode(v.get("fitted"))
            if not isinstance(params, dict) or not isinstance(fitted, dict):
                raise self._bad(f"{name} has no parameters")
            return _rebuild_sklearn(name, params, fitted, self._bad)
        raise self._bad("unexpected entry in the state")


# ---- scikit-learn estimators: rebuilt from an allow-list of parameters, with bounds ---------------

#: dtypes a state may name (``dtype=np.float32`` of a vectoriser, ...).
_DTYPES = ("float16", "float32", "float64", "int32", "int64", "bool")
#: The default token pattern of scikit-learn, and the one other pattern a saved vectoriser may
#: carry (single-character words). No other regular expression is ever compiled from a file.
TOKEN_PATTERNS = (r"(?u)\b\w\w+\b", r"(?u)\b\w+\b")
#: Largest n of the n-grams of a saved vectoriser: word n-grams, character n-grams.
MAX_WORD_NGRAM, MAX_CHAR_NGRAM = 3, 5
#: Most terms of a vocabulary and SVD components.
MAX_VOCABULARY, MAX_COMPONENTS = 2_000_000, 4096


def _is_int(x) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def _is_num(x) -> bool:
    return (_is_int(x) or isinstance(x, (float, np.floating))) and math.isfinite(float(x))


def _choice(*allowed):
    return lambda x, p: any(x == a and type(x) is type(a) for a in allowed)


def _int_in(lo, hi, none_ok=False):
    return lambda x, p: (none_ok and x is None) or (_is_int(x) and lo <= x <= hi)


def _num_in(lo, hi):
    return lambda x, p: _is_num(x) and lo <= float(x) <= hi


def _ngram_ok(x, params) -> bool:
    word = params.get("analyzer", "word") == "word"
    hi = MAX_WORD_NGRAM if word else MAX_CHAR_NGRAM
    return (isinstance(x, tuple) and len(x) == 2 and all(_is_int(n) for n in x) and 1 <= x[0] <= x[1] <= hi)


def _bool(x, p) -> bool:
    return isinstance(x, bool)


#: The parameters of each estimator a file may set, each with its check; every other parameter
#: must equal scikit-learn's default.
_SKLEARN_PARAMS = {
    "TfidfVectorizer": {
        "analyzer": _choice("word", "char", "char_wb"), "ngram_range": _ngram_ok,
        "token_pattern": _choice(*TOKEN_PATTERNS), "lowercase": _bool, "sublinear_tf": _bool,
        "use_idf": _bool, "smooth_idf": _bool, "binary": _bool, "norm": _choice("l1", "l2", None),
        "strip_accents": _choice(None, "ascii", "unicode"), "min_df": _num_in(0, 2**31),
        "max_df": _num_in(0, 2**31), "max_features": _int_in(1, MAX_VOCABULARY, none_ok=True),
        "dtype": lambda x, p: x in (np.float32, np.float64)},
    "TruncatedSVD": {
        "n_components": _int_in(1, MAX_COMPONENTS), "algorithm": _choice("randomized", "arpack"),
        "n_iter": _int_in(0, 100), "n_oversamples": _int_in(0, 10_000),
        "power_iteration_normalizer": _choice("auto", "QR", "LU", "none"),
        "random_state": _int_in(0, 2**32 - 1, none_ok=True), "tol": _num_in(0, 1)},
}


def _float_array(x, ndim: int) -> bool:
    return (isinstance(x, np.ndarray) and x.ndim == ndim and x.dtype.kind == "f" and bool(np.isfinite(x).all()))


def _check_fitted(name: str, est, fitted: dict, bad) -> None:
    """The fitted attributes of a rebuilt estimator: the ones its transform/predict reads, each of
    the right type, shape and size, consistent with each other and with the parameters."""
    unknown = sorted(set(fitted) - set(_SKLEARN_FITTED[name]) - {"vocabulary_"})
    if unknown:
        raise bad(f"{name} has unexpected fitted attribute {unknown[0][:40]!r}")
    if name == "TfidfVectorizer":
        terms, idf = fitted.get("vocabulary_"), fitted.get("idf_")
        if not (isinstance(terms, np.ndarray) and terms.ndim == 1 and terms.dtype == object
                and len(terms) <= MAX_VOCABULARY):
            raise bad("the TF-IDF vocabulary is missing or not a list of terms")
        vocab = {str(t): i for i, t in enumerate(terms)}
        if len(vocab) != len(terms):
            raise bad("the TF-IDF vocabulary repeats a term")
        if not (_float_array(idf, 1) and len(idf) == len(terms)):
            raise bad("the TF-IDF weights do not match the vocabulary")
        est.vocabulary_, est.fixed_vocabulary_ = vocab, False
        est.idf_ = idf
        return
    if name == "TruncatedSVD":
        comp = fitted.get("components_")
        if not (_float_array(comp, 2) and comp.shape[0] <= MAX_COMPONENTS and comp.shape[1] <= 2 * MAX_VOCABULARY):
            raise bad("the SVD components are not a finite matrix of the allowed size")
        k, f = comp.shape
        for key in ("explained_variance_", "explained_variance_ratio_", "singular_values_"):
            if key in fitted and not (_float_array(fitted[key], 1) and len(fitted[key]) == k):
                raise bad(f"SVD {key} does not match its {k} components")
        if fitted.get("n_features_in_", f) != f:
            raise bad("the SVD input width does not match its components")
    for key, x in fitted.items():
        if isinstance(x, (bool, np.bool_)) or not (isinstance(x, (np.ndarray, list, str)) or _is_num(x)):
            raise bad(f"{name} {key} has the wrong type")
        setattr(est, key, x)


def _rebuild_sklearn(name: str, params: dict, fitted: dict, bad):
    """A scikit-learn ``name`` built from its defaults and only the allowed ``params``, each
    within bounds (no user regex, n-grams at most :data:`MAX_WORD_NGRAM` words or
    :data:`MAX_CHAR_NGRAM` characters), then given checked fitted attributes."""
    cls = _sklearn_classes()[name]
    defaults = cls().get_params(deep=False)
    checks = _SKLEARN_PARAMS[name]
    for key, value in params.items():
        if key not in defaults:
            raise bad(f"{name} has unknown parameter {str(key)[:40]!r}")
        if key in checks:
            if not checks[key](value, params):
                raise bad(f"{name} parameter {key} = {str(value)[:60]!r} is not allowed")
        elif not (value == defaults[key] and type(value) is type(defaults[key])):
            raise bad(f"{name} parameter {key} must keep its default {defaults[key]!r}")
    est = cls(**params)
    _check_fitted(name, est, dict(fitted), bad)
    return est


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


def _check_router_params(name: str, cls, params: dict, dec: "_Decoder") -> None:
    """The saved constructor parameters of router ``name`` pass the checks every router option
    passes (:func:`~routerlab.routing.routers.validate_options`), and the seed is a whole number."""
    import inspect

    from routerlab.routing.routers import validate_options

    seed = params.get("seed", 0)
    if not _is_int(seed) or not 0 <= seed < 2**63:
        raise dec._bad(f"router {name!r} has seed {str(seed)[:40]!r}")
    signature = inspect.signature(cls.__init__).parameters
    options = {k: x for k, x in params.items() if k in signature and k not in ("self", "seed", "model")}
    kinds = {k: type(x) for k, x in options.items()}
    try:
        checked = validate_options(name, options)
    except RouterlabError as exc:
        raise dec._bad(str(exc)) from None
    # the constructor turned some options into other types (a grid into an array): those stay
    params.update({k: x for k, x in checked.items() if kinds[k] in (bool, int, float, str)})


def _decode_router(v: dict, dec: "_Decoder"):
    name = v.get("__router__")
    if not isinstance(name, str):
        raise dec._bad("a router without a name")
    cls = _router_class(name, dec.where)
    if v.get("class") != f"{cls.__module__}.{cls.__qualname__}":
        raise RouterlabError(f"{dec.where} holds a {v.get('class')!r} under the name {name!r}, "
                             f"which here is a {cls.__qualname__}")
    params, fitted = dec.attributes(v.get("params"), f"router {name!r}"), dec.attributes(v.get("fitted"), f"router {name!r}")
    if any(k.endswith("_") for k in params) or not all(k.endswith("_") for k in fitted):
        raise dec._bad(f"router {name!r} mixes its parameters and its fitted state")
    _check_router_params(name, cls, params, dec)
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

#: Largest ``.rlr`` file read, and the largest decompressed size of each member (bytes). A kNN
#: router of the RouterBench subset (3,150 queries) is a 4.3 MB file, its meta.json 6.5 KB; the
#: caps leave room for a benchmark 100 times larger, and bound what parsing the JSON can allocate.
MAX_FILE_BYTES = 1 << 30
MAX_META_BYTES = 4 << 20
MAX_ARRAYS_BYTES = 1 << 30
#: Most arrays in ``arrays.npz``, and the widest text element of a text array (characters).
MAX_ARRAYS = 10_000
MAX_TEXT_CHARS = 4096
_MEMBERS = ("meta.json", "arrays.npz")
_ARRAY_KINDS = "biufU"  # bool, integers, floats, text; never objects, bytes or records


def _open_regular(path: Path, where: str):
    """``path`` opened for reading if it is a regular file of at most :data:`MAX_FILE_BYTES`; a
    FIFO, a device (``/dev/zero``), a folder or a socket is refused before a byte is read (the
    file is opened without blocking, then checked on the open descriptor)."""
    import stat

    try:
        st = path.stat()
    except FileNotFoundError:
        raise RouterlabError(f"{where} does not exist") from None
    except OSError as exc:
        raise RouterlabError(f"{where} cannot be read ({exc.strerror or type(exc).__name__})") from None
    if stat.S_ISDIR(st.st_mode):
        raise RouterlabError(f"{where} is a folder, not a saved router")
    if not stat.S_ISREG(st.st_mode):
        raise RouterlabError(f"{where} is not a regular file (a FIFO, device or socket); give a .rlr "
                             "file written by routerlab fit")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise RouterlabError(f"{where} cannot be read ({exc.strerror or type(exc).__name__})") from None
    st = os.fstat(fd)  # the file actually opened (it may have been swapped since the check)
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE_BYTES:
        os.close(fd)
        raise RouterlabError(f"{where} is not a regular file" if not stat.S_ISREG(st.st_mode) else
                             f"{where} is {st.st_size:,} bytes, more than a saved router may be "
                             f"({MAX_FILE_BYTES:,})")
    return os.fdopen(fd, "rb")


def _check_directory(fh, where: str, most: int = len(_MEMBERS), what: str = "") -> None:
    """The zip's end record (read from its last 64 KiB) lists at most ``most`` members (exactly 2
    for the ``.rlr`` file itself) in a central directory of at most 1 KiB per member, and there is
    no zip64 record: opening the archive then parses a bounded directory (a file of millions of
    empty members would otherwise cost gigabytes)."""
    import struct

    size = fh.seek(0, os.SEEK_END)
    fh.seek(max(0, size - (1 << 16) - 22))
    tail = fh.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise RouterlabError(f"{where} is corrupt or truncated, or not a saved router ({what}no zip end record)")
    _, _, _, entries, total, cd_size, _, _ = struct.unpack("<4s4H2LH", tail[at:at + 22])
    zip64 = at >= 20 and tail[at - 20:at - 16] == b"PK\x06\x07"
    exact = most == len(_MEMBERS) and not what
    if zip64 or entries != total or total > most or (exact and total != most) or cd_size > 1024 * max(total, 1):
        raise RouterlabError(f"{where} is not a saved router ({what}its zip directory must list "
                             + ("exactly meta.json and arrays.npz)" if exact else f"at most {most:,} arrays)"))
    fh.seek(0)


def _read_capped(z: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, where: str) -> bytes:
    """The decompressed bytes of member ``info``: refused if its declared size or the bytes it
    actually expands to exceed ``cap`` (reading stops at ``cap + 1`` bytes)."""
    if info.file_size > cap:
        raise RouterlabError(f"{where} is refused: member {info.filename} declares {info.file_size:,} "
                             f"bytes, more than the {cap:,} a saved router may hold")
    with z.open(info) as f:
        data = f.read(cap + 1)
    if len(data) > cap:
        raise RouterlabError(f"{where} is refused: member {info.filename} expands beyond {cap:,} bytes")
    return data


def _read_members(path: Path) -> tuple[dict, bytes]:
    where = f"router file {str(path)!r}"
    try:
        with _open_regular(path, where) as fh:
            _check_directory(fh, where)
            z = zipfile.ZipFile(fh)
            infos = z.infolist()
            if sorted(i.filename for i in infos) != sorted(_MEMBERS):
                raise RouterlabError(f"{where} is not a saved router (it must hold exactly meta.json and "
                                     "arrays.npz)")
            by_name = {i.filename: i for i in infos}
            meta_bytes = _read_capped(z, by_name["meta.json"], MAX_META_BYTES, where)
            arrays_bytes = _read_capped(z, by_name["arrays.npz"], MAX_ARRAYS_BYTES, where)
    except RouterlabError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        raise RouterlabError(f"{where} is corrupt or truncated, or not a saved router "
                             f"({type(exc).__name__}: {' '.join(str(exc).split())[:200]})") from None
    except Exception as exc:  # zlib.error, NotImplementedError (unknown compression) and friends
        raise RouterlabError(f"{where} is corrupt or truncated ({type(exc).__name__})") from None
    try:
        meta = json.loads(meta_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise RouterlabError(f"{where} is corrupt (meta.json is not valid JSON)") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise RouterlabError(f"{where} is not a saved routerlab router (meta.json has no "
                             f"format {FORMAT_NAME!r})")
    return meta, arrays_bytes


def _read_arrays(arrays_bytes: bytes, where: str) -> dict[str, np.ndarray]:
    """The arrays of ``arrays.npz``, each checked before it is built: a ``.npy`` member of
    version 1 or 2 whose dtype is bool, integer, float or text (at most :data:`MAX_TEXT_CHARS`
    characters) and whose shape accounts for exactly the bytes it holds (no pickle, no object)."""
    from numpy.lib import format as npy

    def bad(what):
        return RouterlabError(f"{where} is corrupt or unsafe (arrays.npz: {what})")

    try:
        buf = io.BytesIO(arrays_bytes)
        _check_directory(buf, where, MAX_ARRAYS, "arrays.npz: ")
        z = zipfile.ZipFile(buf)
    except RouterlabError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise bad(type(exc).__name__) from None
    out: dict[str, np.ndarray] = {}
    with z:
        infos = z.infolist()
        if len(infos) > MAX_ARRAYS:
            raise bad(f"{len(infos):,} members, more than {MAX_ARRAYS:,}")
        total = 0
        for info in infos:
            if not info.filename.endswith(".npy") or info.filename[:-4] in out:
                raise bad(f"unexpected member {info.filename[:60]!r}")
            total += info.file_size
            if total > MAX_ARRAYS_BYTES:
                raise bad(f"more than {MAX_ARRAYS_BYTES:,} bytes of arrays")
            try:
                data = _read_capped(z, info, MAX_ARRAYS_BYTES, where)
                f = io.BytesIO(data)
                version = npy.read_magic(f)
                if version not in ((1, 0), (2, 0)):
                    raise bad(f"{info.filename}: .npy version {version}")
                header = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
                shape, fortran, dtype = header(f)
            except RouterlabError:
                raise
            except Exception as exc:  # malformed header, bad CRC, truncated member
                raise bad(f"{info.filename}: {type(exc).__name__}") from None
            if dtype.kind not in _ARRAY_KINDS or dtype.hasobject or dtype.fields is not None or dtype.subdtype:
                raise bad(f"{info.filename} has dtype {dtype.str}, which a saved router never holds")
            if dtype.kind == "U" and dtype.itemsize > 4 * MAX_TEXT_CHARS:
                raise bad(f"{info.filename} holds text wider than {MAX_TEXT_CHARS} characters")
            count = math.prod(shape)
            if count * dtype.itemsize != len(data) - f.tell():
                raise bad(f"{info.filename}: shape {shape} does not match its {len(data) - f.tell():,} bytes")
            a = np.frombuffer(data, dtype=dtype, count=count, offset=f.tell())
            out[info.filename[:-4]] = a.reshape(shape, order="F" if fortran else "C").copy()
    return out


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


def _check_meta(meta: dict, where: str) -> None:
    """The fields of ``meta.json`` that load and route read, each of the type it must have."""
    def bad(what):
        return RouterlabError(f"{where} is corrupt ({what})")

    for key in ("router", "features", "training", "state"):
        if not isinstance(meta.get(key), dict):
            raise bad(f"meta.json field {key!r} is not an object")
    if not isinstance(meta["router"].get("name"), str):
        raise bad("no router name")
    if not isinstance(meta.get("arrays_sha256"), str):
        raise bad("no digest of arrays.npz")
    models = meta.get("models")
    text = ("name", "provider", "tier")
    if not (isinstance(models, list) and models and all(
            isinstance(m, dict) and {*text, "price_in", "price_out"} <= set(m)
            and all(isinstance(m[k], str) for k in text)
            and all(_is_num(m[k]) and m[k] >= 0 for k in ("price_in", "price_out")) for m in models)):
        raise bad("the model list is malformed: each model needs a name, provider and tier (text) and "
                  "finite non-negative prices")
    if len({m["name"] for m in models}) != len(models):
        raise bad("the model list repeats a model")
    feats, training = meta["features"], meta["training"]
    if feats.get("kind") not in ("tfidf", "minilm", "none", "given"):
        raise bad(f"unknown feature pipeline {str(feats.get('kind'))[:40]!r}")
    dim = feats.get("dim")
    if not (dim is None or (_is_int(dim) and 1 <= dim <= MAX_COMPONENTS)):
        raise bad(f"feature width {str(dim)[:40]!r}")
    if feats["kind"] in ("tfidf", "minilm") and not isinstance(feats.get("state"), dict):
        raise bad("the feature pipeline has no state")
    datasets = training.get("datasets")
    if not (isinstance(datasets, list) and all(isinstance(d, str) for d in datasets)
            and isinstance(training.get("name"), str) and _is_int(training.get("n_queries"))):
        raise bad("the training summary (name, n_queries, datasets) is malformed")


#: Most datasets the trial route of :func:`load_router` labels its probe prompts with.
_PROBE_DATASETS = 64


def _probe(router, meta: dict, where: str) -> None:
    """Route a few probe prompts (one unlabelled, one per training dataset) through the loaded
    router and pipeline, so that a state that loads but cannot route fails now, with one line."""
    from routerlab.routing.routers import Routing

    if getattr(router, "uses_truth", False) or meta["features"]["kind"] == "minilm":
        return  # bounds read outcomes a prompt does not have; MiniLM needs its optional encoder
    datasets = [UNKNOWN_DATASET] + meta["training"]["datasets"][:_PROBE_DATASETS]
    probe = [f"What is {i} + {i}?" for i in range(len(datasets))]
    if meta["features"]["kind"] == "given":
        from dataclasses import replace

        bench = replace(prompt_benchmark(probe, dict(meta, features={"kind": "none"})),
                        features=np.zeros((len(probe), meta["features"]["dim"] or 1)))
    else:
        bench = prompt_benchmark(probe, meta)
    bench = _with_datasets(bench, datasets)
    routing = router.route(bench)
    choice = np.asarray(getattr(routing, "choice", None))
    if not isinstance(routing, Routing) or choice.shape != (len(probe),) or choice.dtype.kind not in "iu" \
            or not ((choice >= 0) & (choice < len(meta["models"]))).all():
        raise RouterlabError(f"{where} is corrupt (its router does not route a prompt to one of its models)")


def _with_datasets(bench: Benchmark, datasets) -> Benchmark:
    """``bench`` with these dataset labels and a neutral confidence (0.5) for the cascades."""
    from dataclasses import replace

    return replace(bench, datasets=np.asarray(datasets, dtype=object), confidence=np.full(bench.quality.shape, 0.5))


def load_router(path, expected_models=None):
    """Read a router saved by :func:`save_router`; return ``(router, meta)``.

    ``router`` is the fitted router, ready for ``route``/``predict_proba``. ``meta`` is the parsed
    ``meta.json`` (without ``state``) plus ``meta["pipeline"]``: the rebuilt feature extractor
    (``TfidfSvdFeatures``, ``MiniLMFeatures``) or None. ``expected_models``: None, or the model
    list the caller will route over (names, :class:`~routerlab.data.catalog.Model` objects -- then the
    prices must match too -- or a :class:`~routerlab.data.benchmark.Benchmark`); any difference fails.

    The file is treated as hostile: only a regular file of at most :data:`MAX_FILE_BYTES` is
    opened; ``meta.json`` and ``arrays.npz`` are decompressed up to :data:`MAX_META_BYTES` and
    :data:`MAX_ARRAYS_BYTES`; arrays are bool, numbers or text, their shapes checked against their
    bytes; estimators are rebuilt from an allow-list of bounded parameters (:data:`TOKEN_PATTERNS`,
    n-grams up to :data:`MAX_WORD_NGRAM` words / :data:`MAX_CHAR_NGRAM` characters, at most
    :data:`MAX_VOCABULARY` terms); router options pass
    :func:`~routerlab.routing.routers.validate_options`; and the loaded router routes a few probe
    prompts before it is returned. Every failure (missing, corrupt, truncated, oversized, tampered or
    foreign file, another format version, unknown router name, a model list that contradicts the
    fitted state) is one :class:`RouterlabError` line.
    """
    path = Path(path)
    where = f"router file {str(path)!r}"
    meta, arrays_bytes = _read_members(path)
    try:
        return _load(path, where, meta, arrays_bytes, expected_models)
    except RouterlabError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError, OverflowError,
            ZeroDivisionError, LookupError, ArithmeticError) as exc:
        raise RouterlabError(f"{where} is corrupt (its state does not fit its router: {type(exc).__name__}: "
                             f"{' '.join(str(exc).split())[:160]}); refit and save it again") from None


def _load(path: Path, where: str, meta: dict, arrays_bytes: bytes, expected_models):
    from routerlab._version import __version__

    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise RouterlabError(f"{where} has format version {version if _is_int(version) else repr(str(version)[:20])} (written by routerlab "
                             f"{str(meta.get('routerlab_version', '?'))[:20]}); this routerlab {__version__} reads "
                             f"format version {FORMAT_VERSION} only: refit it with 'routerlab fit'")
    _check_meta(meta, where)
    if hashlib.sha256(arrays_bytes).hexdigest() != meta["arrays_sha256"]:
        raise RouterlabError(f"{where} is corrupt (arrays.npz does not match its recorded SHA-256)")
    name = meta["router"]["name"]
    _router_class(name, where)  # unknown name: one line before anything else is read
    models = meta["models"]
    arrays = _read_arrays(arrays_bytes, where)
    dec = _Decoder(arrays, where)
    state = meta["state"]
    if state.get("__router__") != name:
        raise RouterlabError(f"{where} is corrupt (its state is not that of router {name!r})")
    router = _decode_router(state, dec)
    saved_names = [m["name"] for m in models]
    fitted_names = getattr(router, "model_names_", None)
    if not isinstance(fitted_names, list) or fitted_names != saved_names:
        fitted_names = list(fitted_names) if isinstance(fitted_names, (list, tuple)) else []
        unknown = [x for x in saved_names if x not in fitted_names]
        raise RouterlabError(f"{where} lists models {saved_names} but its router was fitted on "
                             f"{fitted_names}" + (f" (unknown model: {unknown[0]})" if unknown else ""))
    cost_model = getattr(router, "cost_model_", None)
    if cost_model is not None:
        prices = np.array([[m["price_in"], m["price_out"]] for m in models], dtype=np.float64)
        if not np.array_equal(prices, np.column_stack([cost_model.price_in, cost_model.price_out])):
            raise RouterlabError(f"{where} lists model prices that differ from those its router was fitted with")
    _check_expected(where, models, expected_models)
    feats = meta["features"]
    pipeline = dec.decode(feats["state"]) if feats["kind"] in ("tfidf", "minilm") else None
    want = {"tfidf": "TfidfSvdFeatures", "minilm": "MiniLMFeatures"}.get(feats["kind"])
    if want is not None and type(pipeline).__name__ != want:
        raise RouterlabError(f"{where} is corrupt (its {feats['kind']} features are not a {want})")
    out = {k: v for k, v in meta.items() if k != "state"}
    out["features"] = {k: v for k, v in feats.items() if k != "state"}
    out["pipeline"] = pipeline
    out["path"] = str(path)
    _probe(router, out, where)
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
