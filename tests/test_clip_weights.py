"""CLIP from a user's own checkpoint files: the formats they come in, relative paths, and the wrong file."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from momentsearch.errors import ModelNotFoundError
from momentsearch.models import TINY_CLIP_CONFIG, ClipModel

torch = pytest.importorskip("torch")
pytest.importorskip("open_clip")

IMAGE = np.full((40, 40, 3), 180, np.uint8)


@pytest.fixture(autouse=True)
def _no_downloads(monkeypatch):
    monkeypatch.delenv("MOMENTSEARCH_ALLOW_DOWNLOAD", raising=False)


@pytest.fixture(scope="module")
def tiny() -> ClipModel:
    return ClipModel(str(TINY_CLIP_CONFIG), "random").load()


def _other_architecture(folder) -> tuple[str, str]:
    """A config with 16-d vectors (the tiny one gives 32) and a checkpoint saved from it."""
    config = json.loads(TINY_CLIP_CONFIG.read_text())
    config["embed_dim"] = 16
    path = folder / "tiny16.json"
    path.write_text(json.dumps(config))
    model = ClipModel(str(path), "random").load()
    checkpoint = folder / "tiny16.pt"
    torch.save(model._model.state_dict(), checkpoint)
    return str(path), str(checkpoint)


def test_relative_checkpoint_and_config_load_from_another_folder(tiny, tmp_path, monkeypatch):
    """The index keeps model_name and pretrained to rebuild CLIP for its searches; given relative, they had
    to be searched from the folder the index was made in, else the visual channel was off ('not found')."""
    made = tmp_path / "made"
    made.mkdir()
    shutil.copy(TINY_CLIP_CONFIG, made / "tiny_clip.json")
    torch.save(tiny._model.state_dict(), made / "weights.pt")
    monkeypatch.chdir(made)
    clip = ClipModel("tiny_clip.json", "weights.pt")
    assert clip.model_id == "open_clip:tiny_clip/file:weights.pt"  # the id does not change with the folder
    monkeypatch.chdir(tmp_path)  # a search run from elsewhere rebuilds it from what was stored
    again = ClipModel(clip.model_name, clip.pretrained)
    np.testing.assert_allclose(again.embed_images([IMAGE]), tiny.embed_images([IMAGE]), atol=1e-5)


def test_home_relative_checkpoint_is_expanded(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    torch.save(tiny._model.state_dict(), tmp_path / "weights.bin")
    clip = ClipModel(str(TINY_CLIP_CONFIG), "~/weights.bin")
    assert clip.pretrained == str(tmp_path / "weights.bin")
    np.testing.assert_allclose(clip.embed_images([IMAGE]), tiny.embed_images([IMAGE]), atol=1e-5)


def test_checkpoint_of_another_architecture_is_a_mistake_named_in_one_line(tmp_path):
    """A checkpoint the user named that does not fit the architecture stops indexing (ModelNotFoundError),
    as a path that is not there does: it used to turn the visual channel off and index without it, with
    torch's multi-line state-dict error as the reason."""
    _, checkpoint = _other_architecture(tmp_path)
    with pytest.raises(ModelNotFoundError) as err:
        ClipModel(str(TINY_CLIP_CONFIG), checkpoint).load()
    message = str(err.value)
    assert "\n" not in message
    assert checkpoint in message and "tiny_clip" in message and "--clip-model" in message
    assert "size mismatch" in message


def test_a_file_that_is_no_checkpoint_is_a_mistake(tmp_path):
    path = tmp_path / "notes.pt"
    path.write_text("these are my lecture notes, not weights\n")
    with pytest.raises(ModelNotFoundError, match="notes.pt") as err:
        ClipModel(str(TINY_CLIP_CONFIG), str(path)).load()
    assert "\n" not in str(err.value)
