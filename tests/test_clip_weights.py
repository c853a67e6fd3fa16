"""CLIP from a user's own checkpoint files: the formats they come in, relative paths, and the wrong file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from momentsearch.errors import ModelNotFoundError
from momentsearch.model_ids import without_fingerprints
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
    assert without_fingerprints(clip.model_id) == "open_clip:tiny_clip/file:weights.pt"
    assert ClipModel(str(made / "tiny_clip.json"), str(made / "weights.pt")).model_id == clip.model_id  # nor with the
    # folder it is named from
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


def _photo(path, text: str, colour) -> str:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (480, 270), colour)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 40)
    ImageDraw.Draw(image).text((30, 100), text, fill="black", font=font)
    image.save(path)
    return str(path)


@pytest.fixture
def checkpoint_index(tiny, tmp_path):
    """An index of one photo, made with a CLIP checkpoint named by relative paths; (db, checkpoint's model id)."""
    from momentsearch.api import MomentIndex

    if not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf").is_file():
        pytest.skip("needs the DejaVu fonts")
    torch.save(tiny._model.state_dict(), tmp_path / "weights.pt")
    shutil.copy(TINY_CLIP_CONFIG, tmp_path / "tiny_clip.json")
    first = _photo(tmp_path / "volcano.png", "Volcano eruptions", (250, 220, 200))
    db = tmp_path / "db"
    with MomentIndex(db, {"models": {"clip_model": str(tmp_path / "tiny_clip.json"),
                                     "clip_pretrained": str(tmp_path / "weights.pt")}}) as index:
        report = index.index([first])
    assert without_fingerprints(report.models["clip"]) == "open_clip:tiny_clip/file:weights.pt"
    return db, report.models["clip"]


def test_files_added_later_go_in_with_the_index_clip(checkpoint_index, tmp_path, monkeypatch):
    """An index made with a CLIP checkpoint refused every later `index` that did not name both flags again,
    even a run with nothing to do ("built with model ... but open_clip:ViT-B-32/laion2b_s34b_b79k was asked
    for"): the configuration's default CLIP, whose weights are not here, was the one asked for."""
    from momentsearch.api import MomentIndex

    db, model_id = checkpoint_index
    second = _photo(tmp_path / "graphs.png", "Shortest paths", (200, 240, 200))
    monkeypatch.chdir(tmp_path.parent)
    with MomentIndex(db) as index:  # the default configuration: no CLIP named
        report = index.index([second])
        assert report.models["clip"] == model_id
        assert [f.status for f in report.files] == ["indexed"]
        assert not [w for w in report.warnings if "visual" in w]
        info = index.info()
    assert sorted(f.path for f in info.files if "visual" in f.channels) == sorted([str(tmp_path / "volcano.png"),
                                                                                  second])
    assert info.counts["keyframes"] == 2


def test_a_moved_checkpoint_is_searched_where_it_is_now_named(checkpoint_index, tmp_path):
    """Searches rebuild CLIP from the path the index stored; once the checkpoint moved, naming its new place
    (the same file name, so the same model id) was ignored, and the visual channel stayed off."""
    from momentsearch.api import MomentIndex

    db, _ = checkpoint_index
    moved = tmp_path / "models"
    moved.mkdir()
    (tmp_path / "weights.pt").rename(moved / "weights.pt")
    with MomentIndex(db) as index:
        index.search("volcano eruptions", k=3)
        assert any("visual channel not searched" in w and "weights.pt" in w for w in index.warnings)
    config = {"models": {"clip_model": str(tmp_path / "tiny_clip.json"), "clip_pretrained": str(moved / "weights.pt")}}
    with MomentIndex(db, config) as index:
        moments = index.search("volcano eruptions", k=3)
        assert not [w for w in index.warnings if "visual" in w]
    assert moments and "visual" in moments[0].channels


def test_search_keeps_the_stored_checkpoint_while_it_is_there(checkpoint_index, tiny, tmp_path):
    """Checkpoints are told apart by file name only: another file of the same name, named at search time while
    the index's own is still in place, must not put the queries in another space."""
    from momentsearch.api import MomentIndex

    db, _ = checkpoint_index
    other = tmp_path / "other"
    other.mkdir()
    state = {k: torch.randn_like(v) if v.is_floating_point() else v for k, v in tiny._model.state_dict().items()}
    torch.save(state, other / "weights.pt")
    config = {"models": {"clip_model": str(tmp_path / "tiny_clip.json"), "clip_pretrained": str(other / "weights.pt")}}
    with MomentIndex(db, config) as index:
        assert index.search_clip.pretrained == str(tmp_path / "weights.pt")


def _other_weights(tiny, folder) -> str:
    """A checkpoint of the tiny architecture with other weights, saved as folder/weights.pt."""
    folder.mkdir(exist_ok=True)
    state = {k: torch.randn_like(v) if v.is_floating_point() else v for k, v in tiny._model.state_dict().items()}
    torch.save(state, folder / "weights.pt")
    return str(folder / "weights.pt")


def test_a_checkpoint_of_the_same_name_with_other_weights_is_another_clip(checkpoint_index, tiny, tmp_path):
    """The id named the checkpoint's file only: /a/weights.pt and /b/weights.pt were one CLIP, so an index made
    with one took the other's vectors without a word. The id holds a fingerprint of the content: the other file
    is refused, naming the index's own; the same file copied elsewhere is the same CLIP."""
    from momentsearch.api import MomentIndex
    from momentsearch.errors import IndexMismatchError

    db, model_id = checkpoint_index
    config = str(tmp_path / "tiny_clip.json")
    other = _other_weights(tiny, tmp_path / "other")
    assert ClipModel(config, other).model_id != model_id
    second = _photo(tmp_path / "graphs.png", "Shortest paths", (200, 240, 200))
    with MomentIndex(db, {"models": {"clip_model": config, "clip_pretrained": other}}) as index:
        with pytest.raises(IndexMismatchError, match=f"--clip-pretrained {tmp_path / 'weights.pt'}"):
            index.index([second])
    (copied := tmp_path / "copy").mkdir()
    shutil.copy(tmp_path / "weights.pt", copied / "weights.pt")
    with MomentIndex(db, {"models": {"clip_model": config, "clip_pretrained": str(copied / "weights.pt")}}) as index:
        assert index.index([second]).models["clip"] == model_id
        assert index.info().counts["keyframes"] == 2


def test_an_index_made_before_fingerprints_opens_searches_and_grows(tiny, tmp_path, monkeypatch):
    """An index whose CLIP id names the checkpoint's file alone (made before ids held a fingerprint) still
    matches the same file's id now: searched with its CLIP, files added to it, nothing indexed again."""
    import momentsearch.models.clip as clip_module
    from momentsearch.api import MomentIndex

    if not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf").is_file():
        pytest.skip("needs the DejaVu fonts")
    torch.save(tiny._model.state_dict(), tmp_path / "weights.pt")
    config = {"models": {"clip_model": str(TINY_CLIP_CONFIG), "clip_pretrained": str(tmp_path / "weights.pt")}}
    first = _photo(tmp_path / "volcano.png", "Volcano eruptions", (250, 220, 200))
    with monkeypatch.context() as old:
        old.setattr(clip_module, "fingerprint", lambda path: "")  # as ids were written before
        with MomentIndex(tmp_path / "db", config) as index:
            assert index.index([first]).models["clip"] == "open_clip:tiny_clip/file:weights.pt"
    second = _photo(tmp_path / "graphs.png", "Shortest paths", (200, 240, 200))
    with MomentIndex(tmp_path / "db", config) as index:
        report = index.index([first, second])
        assert sorted(f.status for f in report.files) == ["indexed", "unchanged"]
        assert "visual" in index.search("volcano eruptions", k=1)[0].channels
        assert not [w for w in index.warnings + report.warnings if "visual" in w or "other models" in w]
    with MomentIndex(tmp_path / "db") as index:  # no CLIP named: the index's own
        assert index.search_clip.pretrained == str(tmp_path / "weights.pt")


def test_another_clip_on_the_index_is_refused_naming_the_index_model(checkpoint_index, tmp_path):
    """Another CLIP named for an index built with a checkpoint is refused before anything is indexed, and the
    message says which flags ask for the index's own model (it said only "use the same model")."""
    from momentsearch.api import MomentIndex
    from momentsearch.errors import IndexMismatchError

    db, _ = checkpoint_index
    config, checkpoint = _other_architecture(tmp_path)
    second = _photo(tmp_path / "graphs.png", "Shortest paths", (200, 240, 200))
    with MomentIndex(db, {"models": {"clip_model": config, "clip_pretrained": checkpoint}}) as index:
        with pytest.raises(IndexMismatchError) as err:
            index.index([second])
    assert f"--clip-model {tmp_path / 'tiny_clip.json'} --clip-pretrained {tmp_path / 'weights.pt'}" in str(err.value)
    with MomentIndex(db) as index:
        assert [f.path for f in index.info().files] == [str(tmp_path / "volcano.png")]


@pytest.mark.parametrize("allowed", ["", "1"])
def test_allow_download_leaves_the_hub_online(allowed, tmp_path):
    """`MOMENTSEARCH_ALLOW_DOWNLOAD=1 momentsearch index` is how README says CLIP's weights download; importing
    momentsearch set HF_HUB_OFFLINE=1 all the same, so huggingface_hub refused every download ("cannot find the
    requested files in the local cache") even on a machine with internet. Without it the hub stays offline."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "MOMENTSEARCH_ALLOW_DOWNLOAD")}
    env["MOMENTSEARCH_ALLOW_DOWNLOAD"] = allowed
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])  # this checkout's momentsearch
    code = ("import momentsearch.cli.main, momentsearch.api\n"
            "from momentsearch.models.build import Models\nfrom momentsearch.options import Config\n"
            "Models(Config())\nimport huggingface_hub.constants as c\nprint(c.HF_HUB_OFFLINE)")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ("False" if allowed else "True")


def test_download_without_a_network_fails_at_once(tmp_path, monkeypatch):
    """With downloads allowed but no network, huggingface_hub retried each candidate file five times (about a
    minute for CLIP's two), logging every retry; the host is now tried once and the run goes on without."""
    import socket

    import open_clip.pretrained

    from momentsearch.errors import ModelUnavailableError

    for name in ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MOMENTSEARCH_ALLOW_DOWNLOAD", "1")
    tried = []

    def no_network(address, *args, **kwargs):
        tried.append(address)
        raise OSError(-2, "Name or service not known")

    def download(*args, **kwargs):
        raise AssertionError("download attempted without a network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(open_clip.pretrained, "download_pretrained", download)
    with pytest.raises(ModelUnavailableError) as err:
        ClipModel("ViT-B-32", "laion2b_s34b_b79k", cache_dir=str(tmp_path)).load()
    assert len(tried) == 1 and "cannot be reached" in str(err.value) and "--clip-pretrained" in str(err.value)
