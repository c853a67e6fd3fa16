"""A BERT or MPNet sentence encoder (all-MiniLM-L6-v2, all-mpnet-base-v2 and their kin) in plain numpy: no torch.

The sentence-transformers folder is read as it ships: `config.json` (BERT sizes), `model.safetensors`
(read here directly: an 8-byte header length, a JSON header, raw little-endian arrays), the pooling
config and `tokenizer.json` (run by the `tokenizers` package, which faster-whisper and chromadb already
need). The forward pass is the one sentence-transformers runs (BertModel, or MPNetModel: no token
types, positions counted from the padding id + 1, and a learned relative-position bias added to every
layer's attention scores; mean pooling over real tokens, L2 normalisation); tests/test_models.py checks
the vectors against sentence-transformers (cosine >= 0.999) where torch is installed.

A one-line query costs a few milliseconds; importing torch to do the same costs seconds, which is
most of a one-off `momentsearch search`.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Sequence

import numpy as np

from momentsearch.errors import ModelUnavailableError
from momentsearch.models.device import blas_threads, thread_budget

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
DEFAULT_MAX_TOKENS = 256  # sentence-transformers' max_seq_length for MiniLM when the folder does not say
BATCH_TOKENS = 512  # padded tokens per forward pass (see _encode)
SMALL_INPUT_TOKENS = 2048  # below this many tokens in one call (a query, a few chunks) BLAS runs on one thread


def is_supported(folder: str | Path) -> bool:
    """True for a sentence-transformers folder this module can run: a BERT or MPNet with safetensors, mean pooling."""
    folder = Path(folder)
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        pooling = _pooling(folder)
    except (OSError, ValueError):
        return False
    return (config.get("model_type") in ("bert", "mpnet") and config.get("hidden_act", "gelu") == "gelu"
            and config.get("position_embedding_type", "absolute") == "absolute"
            and (folder / "model.safetensors").is_file() and (folder / "tokenizer.json").is_file()
            and pooling.get("pooling_mode_mean_tokens", False)
            and not any(pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens",
                                                 "pooling_mode_mean_sqrt_len_tokens")))


def _pooling(folder: Path) -> dict:
    modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
    for m in modules:
        if m.get("type", "").endswith("Pooling"):
            return json.loads((folder / m["path"] / "config.json").read_text(encoding="utf-8"))
    return {}


def read_safetensors(path: str | Path) -> dict[str, np.ndarray]:
    """All tensors of a .safetensors file as numpy arrays (read-only views of one buffer)."""
    data = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data, dtype=_DTYPES[info["dtype"]], count=(end - begin) // np.dtype(
            _DTYPES[info["dtype"]]).itemsize, offset=base + begin)
        out[name] = arr.reshape(info["shape"])
    return out


# MPNet's weight names -> the BERT names the forward pass reads (the layers are the same otherwise)
_MPNET_NAMES = (("attention.attn.q.", "attention.self.query."), ("attention.attn.k.", "attention.self.key."),
                ("attention.attn.v.", "attention.self.value."), ("attention.attn.o.", "attention.output.dense."),
                ("attention.LayerNorm.", "attention.output.LayerNorm."))


def _bert_name(name: str) -> str:
    name = name.removeprefix("bert.").removeprefix("mpnet.")
    for old, new in _MPNET_NAMES:
        name = name.replace(old, new)
    return name


def relative_buckets(width: int, num_buckets: int = 32, max_distance: int = 128) -> np.ndarray:
    """(width, width) bucket of each query -> key offset, as MPNet computes it (float32 logs, truncated)."""
    offset = np.arange(width)[None, :] - np.arange(width)[:, None]  # key position - query position
    n = -offset
    half = num_buckets // 2
    ret = (n < 0).astype(np.int64) * half
    n = np.abs(n)
    exact = half // 2
    with np.errstate(divide="ignore"):
        scaled = (np.log(n.astype(np.float32) / np.float32(exact)) / np.float32(math.log(max_distance / exact))
                  * np.float32(half - exact))
    large = np.minimum(exact + np.where(n >= exact, scaled, 0).astype(np.int64), half - 1)
    return ret + np.where(n < exact, n, large)


def _gelu(x: np.ndarray, rows: int = 32) -> np.ndarray:
    """0.5 x (1 + erf(x / sqrt 2)) of a 2-D float32 array, erf to ~1e-7 (Abramowitz & Stegun 7.1.26,
    below float32's own rounding of the activations). The (tokens x 4 hidden) activations are the
    largest arrays of a forward pass: computed whole, each of the dozen steps streamed them through
    memory (a third of the encoding); `rows` at a time, the temporaries stay in the CPU cache (4x faster)."""
    out = np.empty_like(x)
    f = np.float32
    for begin in range(0, x.shape[0], rows):
        block = x[begin:begin + rows]
        a = np.abs(block) * f(1.0 / math.sqrt(2.0))
        t = a * f(0.3275911)
        t += 1.0
        np.reciprocal(t, out=t)
        poly = t * f(1.061405429)
        for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
            poly += f(c)
            poly *= t
        np.square(a, out=a)
        np.negative(a, out=a)
        np.exp(a, out=a)
        poly *= a  # = 1 - erf(|x| / sqrt 2)
        np.copyto(poly, f(2.0) - poly, where=block >= 0)  # 1 + erf(x / sqrt 2)
        poly *= block
        np.multiply(poly, f(0.5), out=out[begin:begin + rows])
    return out


def _stacked_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b over the two leading axes, one 2-D BLAS call per matrix (numpy's stacked matmul is ~30x slower)."""
    out = np.empty(a.shape[:-1] + b.shape[-1:], dtype=np.float32)
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            np.matmul(a[i, j], b[i, j], out=out[i, j])
    return out


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def word_pieces(tokens: Sequence[str], states: np.ndarray, special: Sequence[int]) -> tuple[list[str], np.ndarray]:
    """A text's word pieces without its special tokens, with their states as L2-normalised float16 rows
    (what late interaction compares, ranking/late.py); `states` may run on past the tokens (padding)."""
    keep = [k for k in range(len(tokens)) if not special[k]]
    vectors = np.asarray(states, dtype=np.float32)[keep]
    vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return [tokens[k] for k in keep], vectors.astype(np.float16)


class NumpyBert:
    """Loaded weights + tokenizer of one sentence-transformers BERT folder. `encode` -> normalised rows."""

    def __init__(self, folder: str | Path) -> None:
        folder = Path(folder)
        if not is_supported(folder):
            raise ModelUnavailableError(f"{folder} is not a BERT sentence-transformers folder with safetensors "
                                        "weights and mean pooling")
        try:
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelUnavailableError("the text embedder needs the tokenizers package: pip install tokenizers") from exc
        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.heads = int(cfg["num_attention_heads"])
        self.layers = int(cfg["num_hidden_layers"])
        self.eps = float(cfg.get("layer_norm_eps", 1e-12))
        self.dim = int(cfg["hidden_size"])
        self.mpnet = cfg.get("model_type") == "mpnet"
        self.padding_id = int(cfg.get("pad_token_id", 1))
        self.buckets = int(cfg.get("relative_attention_num_buckets", 32))
        st_cfg = folder / "sentence_bert_config.json"
        max_len = DEFAULT_MAX_TOKENS
        if st_cfg.is_file():
            max_len = int(json.loads(st_cfg.read_text(encoding="utf-8")).get("max_seq_length", max_len))
        self.max_tokens = min(max_len, int(cfg.get("max_position_embeddings", 512)))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(self.max_tokens)
        weights = read_safetensors(folder / "model.safetensors")
        # dense weights transposed once into contiguous (in, out) matrices: x @ w runs as one BLAS call
        named = {_bert_name(k): v for k, v in weights.items() if v.dtype != np.int64}
        self.w = {k: np.ascontiguousarray(v.T if k.endswith(("dense.weight", "query.weight", "key.weight",
                                                             "value.weight")) else v, dtype=np.float32)
                  for k, v in named.items()}

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """(n, dim) float32 rows, L2-normalised. Texts are batched by length (less padding)."""
        return self.encode_both(texts, batch_size, pieces=False)[0]

    def encode_tokens(self, texts: Sequence[str], batch_size: int = 64) -> list[tuple[list[str], np.ndarray]]:
        """Per text: its word pieces (special tokens left out) and their contextual vectors, the ones
        `encode` averages, each row L2-normalised (float16): what late interaction compares
        (ranking/late.py)."""
        return self.encode_both(texts, batch_size, pooled=False)[1]

    def encode_both(self, texts: Sequence[str], batch_size: int = 64, pooled: bool = True,
                    pieces: bool = True) -> tuple[np.ndarray, list[tuple[list[str], np.ndarray]]]:
        """`encode` and `encode_tokens` from one pass through the model (a query needs both); the one
        not asked for comes back empty. Word pieces are a function of their text alone: each text has a pass of
        its own, since padding to a longer one moves the states' rounding (up to 1e-4), and so, with numpy 2.4's
        OpenBLAS, does a batch mate of the same token count; a chunk's late-interaction score depended on what it
        was encoded with (about 2x the time of batched passes: 4 s more per 75 minutes of lectures)."""
        encodings = self.tokenizer.encode_batch([str(t) for t in texts])
        vectors = np.zeros((len(encodings) if pooled else 0, self.dim), dtype=np.float32)
        out: list[tuple[list[str], np.ndarray]] = ([([], np.zeros((0, self.dim), np.float16))] * len(encodings)
                                                   if pieces else [])
        with self._threads(encodings):
            for rows, x, mask in self._batches(encodings, batch_size, same_width=pieces):
                if pooled:
                    mean = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
                    vectors[rows] = mean / np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)
                for j, i in enumerate(rows if pieces else []):
                    out[i] = word_pieces(encodings[i].tokens, x[j], encodings[i].special_tokens_mask)
        return vectors, out

    def _threads(self, encodings: list):
        # OpenBLAS threads spin while they wait: on a busy machine two of them made a one-line query take
        # 1.8 s instead of 0.04 s. Small inputs run on one thread; batches get the process's thread budget.
        tokens = sum(len(e.ids) for e in encodings)
        return blas_threads(1 if tokens < SMALL_INPUT_TOKENS else thread_budget())

    def _batches(self, encodings: list, batch_size: int, same_width: bool = False):
        """(rows, hidden states (len(rows), width, dim), mask (len(rows), width)) per forward pass;
        `same_width`: no padding and no batch mates (a pass holds one text)."""
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable")
        begin = 0
        while begin < len(order):
            # longest first, so a batch's width is its first text's; it ends at batch_size texts or
            # BATCH_TOKENS padded tokens: bigger arrays no longer fit the CPU caches (64 texts of 160
            # tokens ran 2.5x slower than the same texts 4 at a time)
            width = max(1, len(encodings[order[begin]].ids))
            rows = order[begin:begin + max(1, min(batch_size, BATCH_TOKENS // width))]
            if same_width:  # one text a pass: BLAS's rounding of a row depends on the rows beside it in a
                rows = rows[:1]  # matrix product (numpy 2.4's OpenBLAS, even between texts of one token count)
            begin += len(rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            types = np.zeros_like(ids)
            mask = np.zeros((len(rows), width), dtype=np.float32)
            for j, i in enumerate(rows):
                e = encodings[i]
                ids[j, :len(e.ids)] = e.ids
                types[j, :len(e.ids)] = e.type_ids
                mask[j, :len(e.ids)] = 1.0
            yield rows, self._hidden(ids, types, mask), mask

    def _hidden(self, ids: np.ndarray, types: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The last layer's token states (batch, width, dim)."""
        w = self.w
        width = ids.shape[1]
        x = w["embeddings.word_embeddings.weight"][ids]
        if self.mpnet:  # positions count from padding id + 1; no token types
            x = x + w["embeddings.position_embeddings.weight"][self.padding_id + 1: self.padding_id + 1 + width][None]
        else:
            x = (x + w["embeddings.token_type_embeddings.weight"][types]
                 + w["embeddings.position_embeddings.weight"][:width][None])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        # padded keys get the most negative float, as transformers does: their softmax weight is 0
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        if self.mpnet:  # one relative-position bias (heads, t, t), shared by all layers
            table = w["encoder.relative_attention_bias.weight"]
            bias = bias + table[relative_buckets(width, self.buckets)].transpose(2, 0, 1)[None]
        for n in range(self.layers):
            x = self._layer(x, bias, f"encoder.layer.{n}.")
        return x

    def _layer(self, x: np.ndarray, bias: np.ndarray, p: str) -> np.ndarray:
        w = self.w
        b, t, d = x.shape
        hd = d // self.heads

        x2 = x.reshape(b * t, d)  # 2-D operands: numpy hands these to BLAS (stacked or strided ones it may not)

        def proj(name: str) -> np.ndarray:
            y = x2 @ w[f"{p}attention.self.{name}.weight"] + w[f"{p}attention.self.{name}.bias"]
            return np.ascontiguousarray(y.reshape(b, t, self.heads, hd).transpose(0, 2, 1, 3))

        q, k, v = proj("query"), proj("key"), proj("value")
        scores = _stacked_matmul(q, k.transpose(0, 1, 3, 2)) * np.float32(1.0 / math.sqrt(hd)) + bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        attn = scores / scores.sum(-1, keepdims=True)
        ctx = _stacked_matmul(attn, v).transpose(0, 2, 1, 3).reshape(b * t, d)
        h = ctx @ w[f"{p}attention.output.dense.weight"] + w[f"{p}attention.output.dense.bias"]
        x2 = _layer_norm(h + x2, w[f"{p}attention.output.LayerNorm.weight"],
                         w[f"{p}attention.output.LayerNorm.bias"], self.eps)
        h = _gelu(x2 @ w[f"{p}intermediate.dense.weight"] + w[f"{p}intermediate.dense.bias"])
        h = h @ w[f"{p}output.dense.weight"] + w[f"{p}output.dense.bias"]
        out = _layer_norm(h + x2, w[f"{p}output.LayerNorm.weight"], w[f"{p}output.LayerNorm.bias"], self.eps)
        return out.reshape(b, t, d)
