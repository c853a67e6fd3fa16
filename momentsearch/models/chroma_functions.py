"""Our models as chromadb embedding functions, so a collection can be queried with plain chromadb.

They persist under chromadb's own built-in names ("sentence_transformer", "open_clip") with configs
that chromadb's built-in functions understand (a local model dir, an open_clip name + checkpoint),
so `client.get_collection(name).query(query_texts=[...])` works without momentsearch installed.
Unlike the built-ins they load nothing until first called.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings


class TextEmbeddingFunction(EmbeddingFunction[Documents]):
    def __init__(self, embedder) -> None:
        self.embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed_texts(list(input)))

    @staticmethod
    def name() -> str:
        return "sentence_transformer"

    def default_space(self):
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"model_name": self.embedder.model_path, "device": "cpu", "normalize_embeddings": True}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "TextEmbeddingFunction":
        from momentsearch.models.text import TextEmbedder

        return TextEmbeddingFunction(TextEmbedder(config["model_name"]))


class ClipEmbeddingFunction(EmbeddingFunction):
    """Texts and images (RGB uint8 arrays) into the CLIP space."""

    def __init__(self, clip) -> None:
        self.clip = clip

    def __call__(self, input) -> Embeddings:
        items = list(input)
        out = np.zeros((len(items), self.clip.dim), dtype=np.float32)
        texts = [i for i, x in enumerate(items) if isinstance(x, str)]
        images = [i for i, x in enumerate(items) if not isinstance(x, str)]
        if texts:
            out[texts] = self.clip.embed_texts([items[i] for i in texts])
        if images:
            out[images] = self.clip.embed_images([items[i] for i in images])
        return list(out)

    @staticmethod
    def name() -> str:
        return "open_clip"

    def default_space(self):
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"model_name": self.clip.model_name, "checkpoint": self.clip.pretrained, "device": "cpu"}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "ClipEmbeddingFunction":
        from momentsearch.models.clip import ClipModel

        return ClipEmbeddingFunction(ClipModel(config["model_name"], config["checkpoint"]))
