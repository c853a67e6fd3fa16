"""CLIP image and text embeddings (open_clip), for keyframes and visual queries.

Vectors are float32 rows, L2-normalised, so a dot product is a cosine similarity.
Weights never download unless MOMENTSEARCH_ALLOW_DOWNLOAD=1; see `ClipModel.load`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from momentsearch.errors import ModelNotFoundError, ModelUnavailableError
from momentsearch.model_ids import fingerprint
from momentsearch.models.device import configure_torch_threads, downloads_allowed, resolve_device, unreachable

TINY_CLIP_CONFIG = Path(__file__).resolve().with_name("tiny_clip.json")  # 32-d toy architecture for tests
RANDOM = "random"  # `pretrained` value for random weights (tests only: the vectors mean nothing)
_CHECKPOINT_SUFFIXES = (".pt", ".pth", ".bin", ".safetensors")
_HF_WEIGHTS = "open_clip_pytorch_model.bin"  # open_clip's default file name in a hub repo
_HF_SAFE_WEIGHTS = "open_clip_model.safetensors"


CLIP_EXTRA_HINT = ("CLIP (the visual channel) is not installed: it needs torch and open_clip, an optional part "
                   "(scripts/setup.sh --clip, or pip install 'momentsearch[clip]')")


def _open_clip():
    """open_clip, or ModelUnavailableError when the CLIP extra is not installed (indexing carries on without)."""
    try:
        import open_clip
    except ImportError as exc:
        raise ModelUnavailableError(f"{CLIP_EXTRA_HINT} ({exc})") from exc
    return open_clip


def looks_like_path(value: str) -> bool:
    """Whether a `pretrained` value names a checkpoint file (else an open_clip tag, or "random")."""
    return value.endswith(_CHECKPOINT_SUFFIXES) or os.sep in value or value.startswith(("~", "."))


def _absolute(path: str) -> str:
    """`path` with ~ expanded, made absolute against the working folder (not resolved: a link stays as named)."""
    return os.path.abspath(os.path.expanduser(path))


def _one_line(exc: BaseException, limit: int = 300) -> str:
    """An error's message on one line: torch's state-dict errors put each mismatched tensor on a line of its own."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()] or [type(exc).__name__]
    if len(lines) > 1 and lines[0].startswith("Error(s) in loading state_dict"):
        lines = lines[1:]  # the first mismatch says what is wrong; the rest are counted
    text = lines[0].rstrip(".") if len(lines[0]) <= limit else lines[0][:limit] + "..."
    return text + (f" (and {len(lines) - 1} more)" if len(lines) > 1 else "")


def input_dtype(tower: Any) -> Any:
    """The dtype a tower's input must have: its first convolution's or linear layer's weights. With
    precision fp16 (CUDA) open_clip casts those to half but keeps embeddings and norms in float32, so the
    model's first parameter (a float32 class embedding) is not the input's type."""
    import torch

    for module in tower.modules():
        if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
            return module.weight.dtype
    return next(tower.parameters()).dtype


class ClipModel:
    """An open_clip model. `__init__` is cheap; the weights load on `load()` or first use.

    model_name: an open_clip architecture ("ViT-B-32") or a path to an open_clip JSON config
                (the architecture is then named after the file stem).
    pretrained: a pretrained tag ("laion2b_s34b_b79k"), a local checkpoint (.pt/.pth/.bin/.safetensors),
                or "random" (random weights, for tests).
    cache_dir:  where open_clip hub weights are looked for / stored (None: the Hugging Face default cache).
    device:     "cpu", "cuda" or "auto"; on CUDA the model runs in fp16.
    """

    def __init__(
        self,
        model_name: str = "ViT-B-32",
        pretrained: str = "laion2b_s34b_b79k",
        cache_dir: str | None = None,
        device: str = "cpu",
    ) -> None:
        # a config or checkpoint named by a path is kept absolute: the index stores it to rebuild the model for
        # its searches, which a relative path would send looking in whatever folder they run from
        self.model_name = _absolute(str(model_name)) if str(model_name).endswith(".json") else str(model_name)
        weights = str(pretrained)
        self.pretrained = _absolute(weights) if looks_like_path(weights) or os.path.exists(weights) else weights
        self.cache_dir = cache_dir
        self.device = device
        self._model: Any = None
        self._preprocess: Any = None
        self._tokenizer: Any = None
        self._torch_device = "cpu"
        self._dim: int | None = None
        self.missing_weights: list[str] | None = None  # after load() found no weights: where they would appear

    @property
    def arch(self) -> str:
        """The open_clip architecture name (file stem when `model_name` is a JSON config)."""
        return Path(self.model_name).stem if self.model_name.endswith(".json") else self.model_name

    @property
    def model_id(self) -> str:
        """Stable id stored with the index, e.g. "open_clip:ViT-B-32/laion2b_s34b_b79k"; a JSON config and a
        checkpoint are named by file name and content (`open_clip:tiny#sha256:.../file:model.pt#sha256:...`,
        momentsearch.model_ids): the same file moved keeps its id, another file of that name has another."""
        if self.pretrained == RANDOM:
            weights = "random"
        elif looks_like_path(self.pretrained):
            weights = "file:" + Path(self.pretrained).name + fingerprint(self.pretrained)
        else:
            weights = self.pretrained
        arch = self.arch + (fingerprint(self.model_name) if self.model_name.endswith(".json") else "")
        return f"open_clip:{arch}/{weights}"

    @property
    def dim(self) -> int:
        """Embedding size (read from the architecture config; the weights need not be loaded)."""
        if self._dim is None:
            self._dim = int(self._arch_config()["embed_dim"])
        return self._dim

    # ---- loading -------------------------------------------------------------------------------

    def _arch_config(self) -> dict:
        open_clip = _open_clip()

        if self.model_name.endswith(".json"):
            path = Path(self.model_name).expanduser()
            if not path.is_file():
                raise ModelNotFoundError(f"CLIP architecture config not found: {path}")
            try:
                config = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ModelUnavailableError(f"cannot read CLIP architecture config {path}: {exc}") from exc
            if not all(key in config for key in ("embed_dim", "vision_cfg", "text_cfg")):
                raise ModelUnavailableError(
                    f"{path} is not an open_clip config (needs embed_dim, vision_cfg, text_cfg)"
                )
            if open_clip.get_model_config(self.arch) != config:
                open_clip.add_model_config(path)  # open_clip's registry is global; registering twice is harmless
        config = open_clip.get_model_config(self.arch)
        if config is None:
            known = ", ".join(open_clip.list_models()[:12])
            raise ModelNotFoundError(
                f"unknown CLIP architecture {self.model_name!r}; use an open_clip name ({known}, ...) "
                "or a path to an open_clip JSON config"
            )
        return config

    def _cached_weights(self, tag_cfg: dict) -> str | None:
        """Path of the tag's weights if already on disk; never touches the network."""
        if tag_cfg.get("file"):
            return tag_cfg["file"] if os.path.isfile(tag_cfg["file"]) else None
        hub = tag_cfg.get("hf_hub", "")
        if hub:
            from huggingface_hub import try_to_load_from_cache

            repo_id, filename = os.path.split(hub)
            names = [_HF_SAFE_WEIGHTS, _HF_WEIGHTS] if not filename else [filename]
            if filename.endswith((".bin", ".pth")):
                names.insert(0, filename[:-4] + ".safetensors")
            for name in names:
                found = try_to_load_from_cache(repo_id, name, cache_dir=self.cache_dir)
                if isinstance(found, str) and os.path.isfile(found):
                    return found
        url = tag_cfg.get("url", "")
        if url:
            target = Path(self.cache_dir or "~/.cache/clip").expanduser() / os.path.basename(url)
            if target.is_file():
                return str(target)
        return None

    def _weight_places(self, tag_cfg: dict) -> list[str]:
        """Where a tag's weights would appear (its file, the hub repo's cache folder, the URL's download): while
        none of these exists they are still missing (pipeline/settled.py tells so without importing open_clip)."""
        places = [tag_cfg["file"]] if tag_cfg.get("file") else []
        if tag_cfg.get("hf_hub"):
            from huggingface_hub.constants import HF_HUB_CACHE

            repo_id = os.path.split(tag_cfg["hf_hub"])[0]
            places.append(os.path.join(self.cache_dir or HF_HUB_CACHE, "models--" + repo_id.replace("/", "--")))
        if tag_cfg.get("url"):
            places.append(str(Path(self.cache_dir or "~/.cache/clip").expanduser() / os.path.basename(tag_cfg["url"])))
        return places

    def _resolve_weights(self) -> tuple[str | None, dict]:
        """(checkpoint path or None for random init, the tag's preprocessing config)."""
        if self.pretrained == RANDOM:
            return None, {}
        if looks_like_path(self.pretrained) or os.path.exists(self.pretrained):
            path = Path(self.pretrained).expanduser()
            if not path.is_file():
                raise ModelNotFoundError(
                    f"CLIP checkpoint file not found: {path} (model {self.arch}); "
                    "pass an existing open_clip checkpoint, e.g. --clip-pretrained /path/to/open_clip_pytorch_model.bin"
                )
            return str(path), {}
        open_clip = _open_clip()

        tag_cfg = open_clip.get_pretrained_cfg(self.arch, self.pretrained)
        if not tag_cfg:
            tags = ", ".join(open_clip.list_pretrained_tags_by_model(self.arch)) or "none"
            raise ModelNotFoundError(
                f"CLIP weights {self.arch}/{self.pretrained!r}: not a known open_clip tag for {self.arch} "
                f"(known tags: {tags}) and not a checkpoint file; pass --clip-pretrained /path/to/checkpoint.bin "
                "or a known tag"
            )
        found = self._cached_weights(tag_cfg)
        if found:
            return found, tag_cfg
        source = tag_cfg.get("hf_hub") or tag_cfg.get("url") or "?"
        if not downloads_allowed():
            self.missing_weights = self._weight_places(tag_cfg)
            from huggingface_hub import constants  # HF_HOME / HF_HUB_CACHE moved it (a container's model volume)

            where = self.cache_dir or f"the Hugging Face cache ({constants.HF_HUB_CACHE})"
            raise ModelUnavailableError(
                f"CLIP weights for {self.arch} with pretrained tag '{self.pretrained}' are not on this machine "
                f"(looked in {where}; they come from {source}). Supply them by: passing a local checkpoint, "
                "e.g. --clip-pretrained /path/to/open_clip_pytorch_model.bin; or setting "
                "MOMENTSEARCH_ALLOW_DOWNLOAD=1 on a machine with internet; or pointing clip_cache_dir at a "
                "cache that already holds them."
            )
        from open_clip.pretrained import download_pretrained

        if tag_cfg.get("hf_hub"):
            from huggingface_hub.constants import ENDPOINT as url
        else:
            url = tag_cfg.get("url", "")
        if why := unreachable(url):  # fail now: the hub's client retries each file for a minute, saying so each time
            raise ModelUnavailableError(f"downloading CLIP weights {self.arch}/{self.pretrained} from {source} failed: "
                                        f"{why}; on a machine without internet pass a local checkpoint, e.g. "
                                        "--clip-pretrained /path/to/open_clip_pytorch_model.bin")
        try:
            return download_pretrained(tag_cfg, cache_dir=self.cache_dir), tag_cfg
        except Exception as exc:  # network and hub errors come in many types; report them as one
            raise ModelUnavailableError(
                f"downloading CLIP weights {self.arch}/{self.pretrained} from {source} failed: {exc}"
            ) from exc

    def load(self) -> "ClipModel":
        """Create the model, preprocessing and tokenizer; a no-op once loaded. Returns self."""
        if self._model is not None:
            return self
        open_clip = _open_clip()
        import torch

        device = resolve_device(self.device)
        self._arch_config()
        checkpoint, tag_cfg = self._resolve_weights()
        if device == "cpu":
            configure_torch_threads()
        try:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(0)  # "random" weights are the same on every run
                model, _, preprocess = open_clip.create_model_and_transforms(
                    self.arch,
                    pretrained=checkpoint,
                    precision="fp16" if device == "cuda" else "fp32",
                    device=device,
                    force_quick_gelu=bool(tag_cfg.get("quick_gelu", False)),
                    image_mean=tag_cfg.get("mean"),
                    image_std=tag_cfg.get("std"),
                    image_interpolation=tag_cfg.get("interpolation"),
                    image_resize_mode=tag_cfg.get("resize_mode"),
                    pretrained_text=False,  # never fetch separate text-tower weights behind our back
                    cache_dir=self.cache_dir,
                )
            tokenizer = open_clip.get_tokenizer(self.arch, cache_dir=self.cache_dir)
        except Exception as exc:  # torch.load / state-dict / tokenizer errors: name the weights in one error
            if checkpoint is not None and not tag_cfg:  # a file the user named: a mistake in the request
                raise ModelNotFoundError(
                    f"CLIP checkpoint {checkpoint} cannot be loaded as {self.arch} ({_one_line(exc)}): it holds "
                    "another architecture's weights or is no open_clip checkpoint: name the architecture it was "
                    "saved from with --clip-model (an open_clip name or a JSON config)"
                ) from exc
            raise ModelUnavailableError(
                f"cannot load CLIP {self.arch} with weights {checkpoint or self.pretrained}: {_one_line(exc)}"
            ) from exc
        model.eval()
        self._model, self._preprocess, self._tokenizer = model, preprocess, tokenizer
        self._torch_device = device
        return self

    # ---- inference -----------------------------------------------------------------------------

    @staticmethod
    def _to_pil(image: Any) -> Any:
        from PIL import Image

        if isinstance(image, Image.Image):
            return image.convert("RGB")
        array = np.asarray(image)
        if array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4)):
            return Image.fromarray(array.astype(np.uint8, copy=False)).convert("RGB")
        raise ValueError(f"expected a PIL image or an RGB uint8 array (H, W, 3), got shape {array.shape}")

    def _encode(self, items: Sequence[Any], batch_size: int, encode_batch) -> np.ndarray:
        if len(items) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        import torch

        self.load()
        rows = []
        with torch.inference_mode():
            for start in range(0, len(items), max(1, batch_size)):
                features = encode_batch(items[start : start + batch_size]).float()
                rows.append(torch.nn.functional.normalize(features, dim=-1).cpu().numpy())
        return np.concatenate(rows).astype(np.float32, copy=False)

    def embed_images(self, images: Sequence[Any], batch_size: int = 32) -> np.ndarray:
        """Embed PIL images or RGB uint8 arrays -> (n, dim) float32, rows L2-normalised."""
        dtype = None

        def encode(batch):
            nonlocal dtype
            import torch

            dtype = dtype or input_dtype(self._model.visual)
            pixels = torch.stack([self._preprocess(self._to_pil(im)) for im in batch])
            return self._model.encode_image(pixels.to(self._torch_device, dtype=dtype))

        return self._encode(images, batch_size, encode)

    def embed_texts(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Embed strings -> (n, dim) float32, rows L2-normalised. Long texts are cut at the context length."""

        def encode(batch):
            tokens = self._tokenizer([str(t) for t in batch]).to(self._torch_device)
            return self._model.encode_text(tokens)

        return self._encode(list(texts), batch_size, encode)

    def rank_labels(self, image: Any, labels: Sequence[str]) -> list[tuple[str, float]]:
        """Zero-shot classification: [(label, probability)] sorted by probability, highest first.

        Probabilities are a softmax over CLIP's scaled cosine logits and sum to 1.
        """
        labels = list(labels)
        if not labels:
            return []
        image_vec = self.embed_images([image])[0]
        label_vecs = self.embed_texts(labels)
        scale = float(self._model.logit_scale.exp().clamp(max=100).item())
        logits = scale * (label_vecs.astype(np.float64) @ image_vec.astype(np.float64))
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        order = np.argsort(-probs, kind="stable")
        return [(labels[i], float(probs[i])) for i in order]
