"""openai-whisper checkpoints made from the CTranslate2 Whisper weights this install already has.

The openai-whisper engine (`--asr openai-whisper`) needs a PyTorch checkpoint (`base.pt`), which only a
model hub ships; the packaged faster-whisper models (tiny.en, base: models/whisper_weights.py) hold the
same weights in CTranslate2's format. `converted_checkpoint(name)` rewrites one of them once into
$MOMENTSEARCH_CACHE/openai-whisper/NAME.pt, so the engine runs offline. It also gives a second way onto a
GPU: torch's own CUDA libraries, where CTranslate2's wheels need CUDA 12's cuBLAS (docs/deploy.md).

CTranslate2's model.bin (binary version 6, `ctranslate2/specs/model_spec.py`): a header (version, spec
name, revision), then each variable as name, rank, shape, dtype id, byte count and bytes, then aliases
(name -> variable). Attention layers are stored fused: self-attention's query, key and value as one
matrix, cross-attention's key and value as one; the key has no bias in Whisper (stored as zeros).
"""

from __future__ import annotations

import os
import struct
import tempfile
from pathlib import Path
from typing import BinaryIO

import numpy as np

from momentsearch.errors import ModelUnavailableError
from momentsearch.file_modes import as_umask_allows
from momentsearch.models.device import cache_root

CONVERTIBLE = ("tiny.en", "base")  # names whose CTranslate2 weights are installed (whisper_weights.py)
_DTYPES = (np.float32, np.int8, np.int16, np.int32, np.float16)  # CTranslate2's DataType ids 0..4
_FORMAT_VERSIONS = (5, 6)


def _string(f: BinaryIO) -> str:
    (size,) = struct.unpack("<H", f.read(2))
    return f.read(size).rstrip(b"\0").decode("utf-8")


def read_ct2_variables(path: str | Path) -> dict[str, np.ndarray]:
    """Every variable of a CTranslate2 model.bin, aliases resolved, as numpy arrays (float16 stays float16)."""
    out: dict[str, np.ndarray] = {}
    with open(path, "rb") as f:
        (version,) = struct.unpack("<I", f.read(4))
        if version not in _FORMAT_VERSIONS:
            raise ModelUnavailableError(f"{path}: CTranslate2 model format {version} is not one this reader knows "
                                        f"({_FORMAT_VERSIONS})")
        spec = _string(f)
        if spec != "WhisperSpec":
            raise ModelUnavailableError(f"{path} holds a {spec}, not a Whisper model")
        f.read(4)  # revision
        (count,) = struct.unpack("<I", f.read(4))
        for _ in range(count):
            name = _string(f)
            (rank,) = struct.unpack("<B", f.read(1))
            shape = struct.unpack(f"<{rank}I", f.read(4 * rank))
            (dtype_id,) = struct.unpack("<B", f.read(1))
            (size,) = struct.unpack("<I", f.read(4))
            data = f.read(size)
            if dtype_id >= len(_DTYPES):
                raise ModelUnavailableError(f"{path}: variable {name} has a data type (id {dtype_id}) this reader "
                                            "does not convert; use a float16 or float32 model")
            out[name] = np.frombuffer(data, dtype=_DTYPES[dtype_id]).reshape(shape)
        (aliases,) = struct.unpack("<I", f.read(4))
        for _ in range(aliases):
            alias, target = _string(f), _string(f)
            out[alias] = out[target]
    return out


class _Mapping:
    """Copies CTranslate2 Whisper variables into an openai-whisper state dict under their new names."""

    def __init__(self, variables: dict[str, np.ndarray]) -> None:
        self.variables = variables
        self.state: dict[str, np.ndarray] = {}

    def linear(self, dst: str, src: str, rows: slice | None = None, bias: bool = True) -> None:
        weight, b = self.variables[f"{src}/weight"], self.variables[f"{src}/bias"]
        self.state[f"{dst}.weight"] = weight if rows is None else weight[rows]
        if bias:
            self.state[f"{dst}.bias"] = b if rows is None else b[rows]

    def norm(self, dst: str, src: str) -> None:
        self.state[f"{dst}.weight"], self.state[f"{dst}.bias"] = (self.variables[f"{src}/gamma"],
                                                                  self.variables[f"{src}/beta"])

    def attention(self, dst: str, src: str, fused: str, width: int) -> None:
        """`fused` "qkv": linear_0 is query|key|value, linear_1 the output; "kv": linear_0 the query,
        linear_1 key|value, linear_2 the output. Whisper's key has no bias (CTranslate2 stores zeros)."""
        if fused == "qkv":
            parts, out = (("query", "linear_0", 0), ("key", "linear_0", 1), ("value", "linear_0", 2)), "linear_1"
        else:
            parts, out = (("query", "linear_0", 0), ("key", "linear_1", 0), ("value", "linear_1", 1)), "linear_2"
        for name, layer, k in parts:
            self.linear(f"{dst}.{name}", f"{src}/{layer}", slice(k * width, (k + 1) * width), bias=name != "key")
        self.linear(f"{dst}.out", f"{src}/{out}")

    def block(self, dst: str, src: str, width: int, cross: bool) -> None:
        self.attention(f"{dst}.attn", f"{src}/self_attention", "qkv", width)
        self.norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        if cross:
            self.attention(f"{dst}.cross_attn", f"{src}/attention", "kv", width)
            self.norm(f"{dst}.cross_attn_ln", f"{src}/attention/layer_norm")
        self.linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        self.linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
        self.norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")

    def layers(self, side: str) -> int:
        return len({n.split("/")[1] for n in self.variables if n.startswith(f"{side}/layer_") and n.count("/") > 2})


def openai_state(variables: dict[str, np.ndarray]) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """(openai-whisper ModelDimensions fields, state dict as numpy) from CTranslate2 Whisper variables."""
    if any(name.endswith("weight_scale") for name in variables):
        raise ModelUnavailableError("the CTranslate2 Whisper model is quantized (int8); only float16 or float32 "
                                    "weights convert to an openai-whisper checkpoint")
    m = _Mapping(variables)
    width = variables["encoder/conv1/weight"].shape[0]
    text_width = variables["decoder/embeddings/weight"].shape[1]
    for k in (1, 2):
        m.linear(f"encoder.conv{k}", f"encoder/conv{k}")
    m.state["encoder.positional_embedding"] = variables["encoder/position_encodings/encodings"]
    for i in range(m.layers("encoder")):
        m.block(f"encoder.blocks.{i}", f"encoder/layer_{i}", width, cross=False)
    m.norm("encoder.ln_post", "encoder/layer_norm")
    m.state["decoder.token_embedding.weight"] = variables["decoder/embeddings/weight"]
    m.state["decoder.positional_embedding"] = variables["decoder/position_encodings/encodings"]
    for i in range(m.layers("decoder")):
        m.block(f"decoder.blocks.{i}", f"decoder/layer_{i}", text_width, cross=True)
    m.norm("decoder.ln", "decoder/layer_norm")
    dims = {
        "n_mels": int(variables["encoder/conv1/weight"].shape[1]),
        "n_audio_ctx": int(variables["encoder/position_encodings/encodings"].shape[0]),
        "n_audio_state": int(width),
        "n_audio_head": int(variables["encoder/num_heads"]),
        "n_audio_layer": m.layers("encoder"),
        "n_vocab": int(variables["decoder/embeddings/weight"].shape[0]),
        "n_text_ctx": int(variables["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": int(text_width),
        "n_text_head": int(variables["decoder/num_heads"]),
        "n_text_layer": m.layers("decoder"),
    }
    return dims, m.state


def write_checkpoint(ct2_dir: str | Path, target: str | Path) -> Path:
    """Convert the CTranslate2 Whisper model in `ct2_dir` into an openai-whisper checkpoint at `target`
    (written to a temporary file first, so a killed run leaves no half checkpoint)."""
    import torch

    dims, state = openai_state(read_ct2_variables(Path(ct2_dir) / "model.bin"))
    checkpoint = {"dims": dims, "model_state_dict": {k: torch.from_numpy(np.array(v)) for k, v in state.items()}}
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(fd)
    try:
        torch.save(checkpoint, tmp)
        as_umask_allows(tmp)  # not mkstemp's 0600: a group may share the cache
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def converted_checkpoint(name: str) -> Path:
    """The openai-whisper checkpoint for `name` ("tiny.en" or "base") made from the installed CTranslate2
    weights, converted on first use into $MOMENTSEARCH_CACHE/openai-whisper/ and reused after."""
    from momentsearch.models.whisper_weights import resolve_faster_whisper_model

    if name not in CONVERTIBLE:
        raise ModelUnavailableError(f"no installed weights convert to openai-whisper {name!r} (only {CONVERTIBLE})")
    source = resolve_faster_whisper_model(name)
    # named by the source's size too: other installed weights (an upgraded package) are converted anew
    target = cache_root() / "openai-whisper" / f"{name}-{(Path(source) / 'model.bin').stat().st_size}.pt"
    if target.is_file():
        return target
    try:
        return write_checkpoint(source, target)
    except OSError as exc:
        raise ModelUnavailableError(f"cannot write the openai-whisper checkpoint {target}: {exc}; set "
                                    "MOMENTSEARCH_CACHE to a writable directory with ~300 MB free") from exc
