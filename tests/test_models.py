"""Model wrappers on this machine's offline weights: tiny random CLIP, MiniLM, whisper tiny.en / base, tiny random openai-whisper."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from momentsearch.errors import ModelUnavailableError
from momentsearch.models import (
    TINY_CLIP_CONFIG,
    ClipModel,
    TextEmbedder,
    make_asr,
    resolve_device,
    resolve_faster_whisper_model,
)
from momentsearch.models.asr import drop_hallucinations
from momentsearch.pipeline.segment import build_chunks
from momentsearch.types import SAMPLE_RATE
from momentsearch.testing.tiny_whisper import write_tiny_openai_whisper_checkpoint
from momentsearch.options import ASROptions
from momentsearch.types import TranscriptSegment

SENTENCE = "The quick brown fox jumps over the lazy dog. Machine learning is fun."


def _unit_rows(x: np.ndarray, tol: float = 1e-4) -> bool:
    return np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=tol)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


# ---- fixtures (session scoped: each model loads once) ----------------------------------------------


@pytest.fixture(autouse=True)
def _no_downloads(monkeypatch):
    monkeypatch.delenv("MOMENTSEARCH_ALLOW_DOWNLOAD", raising=False)


@pytest.fixture(scope="session")
def tiny_clip() -> ClipModel:
    return ClipModel(str(TINY_CLIP_CONFIG), "random").load()


@pytest.fixture(scope="session")
def text_embedder() -> TextEmbedder:
    return TextEmbedder().load()


@pytest.fixture(scope="session")
def st_reference(text_embedder):
    """sentence-transformers running the same MiniLM folder (skips where torch is not installed)."""
    pytest.importorskip("torch")
    st = pytest.importorskip("sentence_transformers")
    return st.SentenceTransformer(text_embedder.model_path, device="cpu")


@pytest.fixture(scope="session")
def fw_tiny():
    return make_asr(ASROptions(engine="faster-whisper", model="tiny.en"), "cpu").load()


@pytest.fixture(scope="session")
def speech(tmp_path_factory) -> np.ndarray:
    """SENTENCE spoken by espeak-ng, as 16 kHz mono float32."""
    return _spoken(tmp_path_factory.mktemp("speech") / "speech.wav", SENTENCE)


def _spoken(wav: Path, text: str, *voice: str) -> np.ndarray:
    """`text` spoken by espeak-ng (with `voice` options) into `wav`, as 16 kHz mono float32."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed")
    subprocess.run(["espeak-ng", *voice, "-w", str(wav), text], check=True, capture_output=True)
    with wave.open(str(wav)) as f:
        rate, channels = f.getframerate(), f.getnchannels()
        pcm = np.frombuffer(f.readframes(f.getnframes()), dtype=np.int16).astype(np.float32) / 32768.0
    pcm = pcm.reshape(-1, channels).mean(axis=1)
    n_out = int(len(pcm) * SAMPLE_RATE / rate)
    return np.interp(np.arange(n_out) * rate / SAMPLE_RATE, np.arange(len(pcm)), pcm).astype(np.float32)


# ---- device ------------------------------------------------------------------------------------------


def test_resolve_device():
    import torch

    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(ModelUnavailableError, match="cuda"):
            resolve_device("cuda")


def test_asking_search_for_cuda_without_a_gpu_is_an_error(tmp_path, capsys, monkeypatch):
    """search loads no model that needs a GPU, so it used to answer on CPU and exit 0 as if asked."""
    from momentsearch.cli.main import main
    from momentsearch.models import device

    monkeypatch.setattr(device, "_cuda_available", lambda: (False, "CTranslate2"))  # a machine with no GPU
    assert main(["search", "roadmap", "--db", str(tmp_path / "db"), "--device", "cuda"]) == 2
    assert "no usable CUDA GPU" in capsys.readouterr().err


# ---- CLIP ----------------------------------------------------------------------------------------


def test_blas_thread_caps_take_turns_across_threads():
    """The BLAS cap is process-wide: a helper thread asking for two threads must wait until ASR's
    one-thread context ends, or Whisper's features are computed at the helper's count (a resumed file
    then got other word times than an uninterrupted run)."""
    import threading

    from threadpoolctl import threadpool_info

    from momentsearch.models.device import blas_threads

    def blas_caps():
        return {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"}

    inside, release, helper_in = threading.Event(), threading.Event(), threading.Event()
    seen = []

    def asr():
        with blas_threads(1):
            inside.set()
            release.wait(5)
            seen.append(blas_caps())

    def helper():
        inside.wait(5)
        with blas_threads(2):
            helper_in.set()

    a, b = threading.Thread(target=asr), threading.Thread(target=helper)
    a.start()
    b.start()
    assert inside.wait(5)
    assert not helper_in.wait(0.3)  # the helper waits while the one-thread context is open
    release.set()
    a.join(5)
    b.join(5)
    assert helper_in.is_set() and seen and (not seen[0] or seen[0] == {1})


def test_tiny_clip_embeddings(tiny_clip):
    images = [Image.new("RGB", (64, 48), (255, 0, 0)), np.zeros((20, 30, 3), np.uint8), Image.new("L", (40, 40), 128)]
    vecs = tiny_clip.embed_images(images, batch_size=2)
    assert vecs.shape == (3, 32) and vecs.dtype == np.float32 and _unit_rows(vecs)
    np.testing.assert_allclose(tiny_clip.embed_images(images[:1]), vecs[:1], atol=1e-6)

    texts = tiny_clip.embed_texts(["a slide about fourier transforms", "a cat", "a cat"], batch_size=2)
    assert texts.shape == (3, 32) and texts.dtype == np.float32 and _unit_rows(texts)
    np.testing.assert_allclose(texts[1], texts[2], atol=1e-6)

    assert tiny_clip.embed_images([]).shape == (0, 32)
    assert tiny_clip.embed_texts([]).shape == (0, 32)
    assert tiny_clip.dim == 32
    assert re.fullmatch(r"open_clip:tiny_clip#sha256:[0-9a-f]{16}/random", tiny_clip.model_id)  # the config's content


def test_tiny_clip_rank_labels(tiny_clip):
    labels = ["a whiteboard", "a slide", "a face", "a chart"]
    ranked = tiny_clip.rank_labels(Image.new("RGB", (32, 32), (0, 0, 255)), labels)
    assert sorted(label for label, _ in ranked) == sorted(labels)
    probs = [p for _, p in ranked]
    assert probs == sorted(probs, reverse=True)
    assert abs(sum(probs) - 1.0) < 1e-6
    assert tiny_clip.rank_labels(Image.new("RGB", (32, 32)), []) == []


def test_clip_local_checkpoint(tiny_clip, tmp_path):
    import torch

    path = tmp_path / "tiny_clip.pt"
    torch.save(tiny_clip._model.state_dict(), path)
    other = ClipModel(str(TINY_CLIP_CONFIG), str(path))
    assert re.fullmatch(r"open_clip:tiny_clip#sha256:[0-9a-f]{16}/file:tiny_clip\.pt#sha256:[0-9a-f]{16}", other.model_id)
    image = np.full((40, 40, 3), 200, np.uint8)
    np.testing.assert_allclose(other.embed_images([image]), tiny_clip.embed_images([image]), atol=1e-5)


def test_clip_missing_tag_fails_fast(tmp_path):
    start = time.monotonic()
    with pytest.raises(ModelUnavailableError) as err:
        ClipModel("ViT-B-32", "laion2b_s34b_b79k", cache_dir=str(tmp_path)).load()
    assert time.monotonic() - start < 5
    message = str(err.value)
    assert "laion2b_s34b_b79k" in message and "ViT-B-32" in message
    assert "--clip-pretrained" in message and "MOMENTSEARCH_ALLOW_DOWNLOAD" in message


def test_clip_unknown_tag_and_missing_file(tmp_path):
    with pytest.raises(ModelUnavailableError, match="no_such_tag"):
        ClipModel("ViT-B-32", "no_such_tag").load()
    with pytest.raises(ModelUnavailableError, match="not found"):
        ClipModel("ViT-B-32", str(tmp_path / "missing.bin")).load()
    with pytest.raises(ModelUnavailableError, match="architecture"):
        ClipModel("No-Such-Arch", "random").load()


# ---- text ------------------------------------------------------------------------------------------


def test_text_embedder_minilm(text_embedder):
    vecs = text_embedder.embed_texts(
        [
            "The lecture explains how gradient descent minimises the loss.",
            "This talk describes how the loss is reduced with gradient descent.",
            "The cafeteria serves soup on Tuesdays.",
        ]
    )
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32 and _unit_rows(vecs)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.2
    assert text_embedder.embed_texts([]).shape == (0, 384)
    assert text_embedder.model_id == "sentence-transformers:all-MiniLM-L6-v2"


def test_text_embedder_runs_without_torch_and_matches_sentence_transformers(text_embedder, request):
    """The numpy MiniLM gives sentence-transformers' vectors (cosine >= 0.999) on short, long (cut at
    256 tokens), empty and non-Latin texts, in mixed-length batches (padding must not leak in)."""
    assert text_embedder.backend == "numpy"
    texts = ["roadmap", "", "Ceci n'est pas une pipe — 東京 2024!", "the quarterly plan " * 200,
             "The lecture explains how gradient descent minimises the loss."] + [
        f"chunk {i}: words spoken for twenty seconds about topic {i} " * (1 + i % 4) for i in range(20)]
    ours = text_embedder.embed_texts(texts, batch_size=8)
    reference = request.getfixturevalue("st_reference").encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    cosines = np.sum(ours * reference, axis=1)
    assert cosines.min() >= 0.999, cosines


def test_word_piece_vectors_are_the_encoders_own_and_find_an_idea_in_other_words(text_embedder, request):
    """The numpy encoder's word-piece vectors (late interaction) are sentence-transformers' token
    embeddings (cosine >= 0.999 per piece, mixed lengths in one batch), special tokens left out. With
    the real MiniLM: a chunk that repeats the query's words "works better than" about another idea
    wins when repeated words count fully, the one that says the idea in other words when they count
    at most 0.5 (ranking.late_exact_cap)."""
    from momentsearch.ranking.late import late_scores

    query = "actively recalling material works better than going over it again"
    chunks = ["Students who tried to recall the passage remembered much more a week later than students "
              "who simply reread it several times.",
              "Spreading your study sessions out over days works better than cramming the same hours into one night."]
    ours = text_embedder.embed_tokens([query] + chunks + ["", "the quarterly plan " * 200], batch_size=2)
    assert ours[0][0][:3] == ["actively", "recalling", "material"] and ours[3][0] == []
    assert all(v.dtype == np.float16 and _unit_rows(v.astype(np.float32), tol=2e-3) for _, v in ours if len(v))
    assert len(ours[4][0]) == text_embedder._model.max_tokens - 2  # cut like the sentence vector
    vectors, both = text_embedder.embed_with_tokens([query] + chunks)  # one pass, as a search runs it
    assert np.allclose(vectors, text_embedder.embed_texts([query] + chunks), atol=1e-6)
    assert all(p == q[0] and np.allclose(v, q[1], atol=1e-3) for (p, v), q in zip(both, ours))
    exact, capped = (late_scores(ours[0], ours[1:3], exact_cap=cap) for cap in (1.0, 0.5))
    assert exact[1] > exact[0] and capped[0] > capped[1]

    reference = TextEmbedder()  # the sentence-transformers path of embed_tokens
    reference._model, reference.backend = request.getfixturevalue("st_reference"), "sentence-transformers"
    theirs = reference.embed_tokens([query] + chunks + ["", "the quarterly plan " * 200], batch_size=2)
    for (p1, v1), (p2, v2) in zip(ours, theirs):
        assert p1 == p2
        if len(v1):
            cosines = np.sum(v1.astype(np.float32) * v2.astype(np.float32), axis=1)
            assert cosines.min() >= 0.999, cosines


def test_a_texts_word_pieces_do_not_depend_on_the_texts_encoded_with_it(text_embedder):
    """A chunk's word-piece vectors are a function of its text: the same whether it is encoded alone,
    after or before a longer text (padding to the longer one moved their rounding by up to 1e-4, so a
    search scored a chunk differently in a fresh process than after other queries), or with one of its
    own token count; the query's own pieces (one pass with its sentence vector) are the same too."""
    text = "Who really pays a tax on sugar, the buyer or the seller?"
    longer = ("Now a much longer sentence about the roadmap of the project, who decides what goes into the "
              "next release and why the deadlines keep moving every single quarter.")
    same_length = "Who really pays a tax on salt, the buyer or the seller?"
    counts = [len(e.ids) for e in text_embedder._model.tokenizer.encode_batch([text, longer, same_length])]
    assert counts[0] == counts[2] < counts[1]
    alone = text_embedder.embed_tokens([text])[0]
    for batch in ([text, longer], [longer, text], [same_length, text, longer], [longer, same_length, text]):
        pieces, vectors = text_embedder.embed_tokens(batch)[batch.index(text)]
        assert pieces == alone[0] and np.array_equal(vectors, alone[1]), batch
    assert np.array_equal(text_embedder.embed_with_tokens([text])[1][0][1], alone[1])


def test_text_embedder_unknown_model_offline():
    with pytest.raises(ModelUnavailableError, match="MOMENTSEARCH_ALLOW_DOWNLOAD"):
        TextEmbedder("someone/not-a-local-model").load()


# ---- faster-whisper ----------------------------------------------------------------------------------


def test_faster_whisper_transcribes_speech(fw_tiny, speech):
    duration = len(speech) / SAMPLE_RATE
    segments = fw_tiny.transcribe(speech)
    assert isinstance(segments, list) and segments and all(isinstance(s, TranscriptSegment) for s in segments)
    words = [w for s in segments for w in s.words]
    assert words
    for w in words:
        assert 0.0 <= w.start <= w.end <= duration + 1e-6
    heard = set(_words(" ".join(s.text for s in segments)))
    expected = set(_words(SENTENCE))
    assert len(heard & expected) >= 0.6 * len(expected), heard
    assert fw_tiny.model_id == "faster-whisper:tiny.en"


def test_faster_whisper_silence_gives_nothing(fw_tiny):
    assert fw_tiny.transcribe(np.zeros(10 * SAMPLE_RATE, np.float32)) == []
    assert fw_tiny.transcribe(np.zeros(0, np.float32)) == []


def test_levelling_brings_speech_to_one_level_and_leaves_silence_alone(speech):
    from momentsearch.models.level import BAND_DB, MAX_GAIN_DB, PEAK, TARGET_DB, levelled, speech_level

    for gain in (0.01, 0.1, 10.0):
        out = levelled(speech * gain)
        assert speech_level(out) == pytest.approx(TARGET_DB, abs=0.5) or np.abs(out).max() >= 0.95 * PEAK
        assert np.percentile(np.abs(out), 99.99) <= PEAK + 1e-6
    for gain in (0.6, 1.0, 1.5):  # near the level already: the very same samples
        assert abs(speech_level(speech * gain) - TARGET_DB) <= BAND_DB
        assert np.array_equal(levelled(speech * gain), speech * gain)
    assert np.array_equal(levelled(np.zeros(SAMPLE_RATE, np.float32)), np.zeros(SAMPLE_RATE, np.float32))
    hiss = np.random.default_rng(0).standard_normal(SAMPLE_RATE).astype(np.float32) * 1e-5  # -100 dB: silence
    assert np.array_equal(levelled(hiss), hiss)
    faint = speech * 10 ** (-50 / 20)  # -50 dB (its speech at -63 dBFS): made louder by MAX_GAIN_DB at most
    assert speech_level(levelled(faint)) == pytest.approx(speech_level(faint) + MAX_GAIN_DB, abs=0.01)


def test_a_quiet_lecture_hall_recording_is_heard_as_speech(tmp_path):
    """Silero VAD, which picks what Whisper decodes, heard 26 % of the benchmark's filmed lecture as
    speech at a tenth of its rendered level (Whisper then wrote 87 % of its words wrong) and all of it at
    full level. Half a minute of speech recorded in a hall 30 dB under full scale is heard through."""
    from momentsearch.models.asr import speech_share
    from momentsearch.testing.acoustics import ROOMS, apply_room

    text = ("If the original data changes, the copy is now wrong. You can give every entry an expiry time and "
            "tolerate a little staleness, or you can update the cache on every write, which is safer but slower. ")
    talk = _spoken(tmp_path / "talk.wav", text * 3, "-v", "en-gb", "-s", "160")
    hall = apply_room((talk * 0.8 / np.abs(talk).max()).astype(np.float32), ROOMS["hall"])
    assert len(hall) / SAMPLE_RATE > 25
    full, quiet = speech_share(hall), speech_share((hall * 10 ** (-30 / 20)).astype(np.float32))
    assert full > 0.9 and quiet == pytest.approx(full, abs=0.05)


def test_base_model_joined_once(tmp_path, monkeypatch):
    monkeypatch.setenv("MOMENTSEARCH_CACHE", str(tmp_path))
    first = Path(resolve_faster_whisper_model("base"))
    assert first == tmp_path / "whisper-base"
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"):
        assert (first / name).is_file()
    assert not list(first.glob("*.tmp"))
    mtime = (first / "model.bin").stat().st_mtime_ns
    assert Path(resolve_faster_whisper_model("base")) == first
    assert (first / "model.bin").stat().st_mtime_ns == mtime


def test_faster_whisper_unknown_name_offline():
    with pytest.raises(ModelUnavailableError) as err:
        resolve_faster_whisper_model("no-such-whisper")
    assert "tiny.en" in str(err.value) and "base" in str(err.value)


def test_drop_hallucinations():
    def seg(text, start=0.0, end=1.0, no_speech=0.0, logprob=-0.2, ratio=1.2):
        return {"text": text, "start": start, "end": end, "no_speech_prob": no_speech,
                "avg_logprob": logprob, "compression_ratio": ratio, "words": []}

    raw = [
        seg(" Hello there.", 0.0, 1.0),
        seg(" Hello there.", 1.0, 2.0),  # exact repeat
        seg(" Thank you.", 2.0, 3.0, no_speech=0.9, logprob=-1.5),  # invented on silence
        seg(" la la la la la la la la", 3.0, 4.0, ratio=3.0),  # repetitive
        seg(" ", 4.0, 5.0),
        seg(" Goodbye.", 5.0, 9.0),
    ]
    kept = drop_hallucinations(raw, duration=8.0)
    assert [s.text for s in kept] == ["Hello there.", "Goodbye."]
    assert kept[-1].end == 8.0
    # a loop that ends in real words compresses less than the ratio limit: cut where it starts (seen on a
    # noisy lecture: "an N M P P P ... P Web sites keep ..."), while a phrase said 4 times in ordinary text stays
    loop = " Rather use an N M" + " P" * 20 + " Web sites keep only a short string for your password"
    assert [s.text for s in drop_hallucinations([seg(loop, ratio=2.1)], 9.0)] == ["Rather use an N M"]
    said = " We go step by step by step by step, and then we stop."
    assert [s.text for s in drop_hallucinations([seg(said, ratio=1.3)], 9.0)] == [said.strip()]


def test_segments_come_back_in_the_order_their_words_were_heard():
    """A seminar recording: "... from Norway dried cod.", a quiet question from the room, then "Good
    question. Let me go back ...". The batched pass heard the lecturer's words before and after the question
    as one segment (249.5-274.0 s); the question, decoded again on its own (`_redo_lost`), came as a
    segment of its own at 264.9-266.0 s, in the pause inside the first. Segment after segment, the words ran
    261 s, 266 s, 271 s, then 264.9 s, and the chunk holding them ran from 266.19 s to 265.98 s: it ended
    before it began, and no search found it. The outer segment is cut at the pause; all words follow in time."""
    def seg(start, end, words):
        return {"text": "".join(w for w, _, _ in words), "start": start, "end": end, "no_speech_prob": 0.0,
                "avg_logprob": -0.3, "compression_ratio": 1.3,
                "words": [{"word": w, "start": s, "end": e, "probability": 0.8} for w, s, e in words]}

    lecturer = seg(249.52, 274.02, [(" From", 255.6, 255.84), (" Norway", 255.84, 256.3), (" dried", 256.3, 256.6),
                                    (" cod.", 256.6, 261.06), (" Good", 266.19, 266.5), (" question.", 266.5, 270.7),
                                    (" Let", 271.0, 271.2), (" me", 271.2, 271.3), (" go", 271.3, 271.5),
                                    (" back.", 271.5, 272.0)])
    question = seg(264.88, 265.98, [(" Were", 264.88, 265.1), (" galleys", 265.1, 265.5), (" used?", 265.5, 265.98)])
    kept = drop_hallucinations([lecturer, question], duration=300.0)
    assert [s.text for s in kept] == ["From Norway dried cod.", "Were galleys used?", "Good question. Let me go back."]
    assert (kept[0].start, kept[0].end, kept[2].start, kept[2].end) == (249.52, 261.06, 266.19, 274.02)
    words = [w for s in kept for w in s.words]
    assert all(a.start <= b.start for a, b in zip(words, words[1:]))
    assert all(c.start <= c.end for c in build_chunks(kept))
    alone = drop_hallucinations([lecturer], duration=300.0)  # nothing inside it: one segment, as heard
    assert [s.text for s in alone] == ["From Norway dried cod. Good question. Let me go back."]


def test_a_word_whisper_split_at_a_mark_is_one_word():
    """faster-whisper (base) gave ' 3', '.5', ' 1', ',200' for "3.5 million ... 1,200" and ' Est', '-ce' for
    "Est-ce": a new word starts at a punctuation token even with no space before it. The chunks joined
    them with spaces ("3 .5 million", "Est -ce que", "l 'énergie"), in the transcript, the subtitles and
    the text searched. The pieces are one word again, timed from the first's start to the last's end."""
    said = [(" In", 0.0, 0.12), (" 3", 1.98, 2.32), (".5", 2.32, 2.92), (" million,", 2.92, 3.22), (" 1", 4.28, 4.6),
            (",200", 4.6, 5.64), (" Est", 6.0, 6.2), ("-ce", 6.2, 6.4), (" l", 6.5, 6.6), ("'énergie", 6.6, 7.0),
            (" 10", 7.1, 7.3), (":30.", 7.3, 7.9), (" -", 8.0, 8.1), (" so", 8.1, 8.3), (" 'yes'", 8.3, 8.6)]
    seg = {"text": " In 3.5 million, 1,200 Est-ce l'énergie 10:30. - so 'yes'", "start": 0.0, "end": 9.0,
           "no_speech_prob": 0.0, "avg_logprob": -0.2, "compression_ratio": 1.2,
           "words": [{"word": w, "start": s, "end": e, "probability": 0.9} for w, s, e in said]}
    (kept,) = drop_hallucinations([seg], duration=9.0)
    assert [w.word for w in kept.words] == ["In", "3.5", "million,", "1,200", "Est-ce", "l'énergie", "10:30.", "-",
                                            "so", "'yes'"]
    assert (kept.words[1].start, kept.words[1].end) == (1.98, 2.92) and kept.words[5].end == 7.0


def test_words_piled_at_one_instant_are_not_kept():
    """On a 15.19 s .mp3 (a podcast line, 4 s of silence, its first 3 s again) base put 159 words, a whole
    invented repeat of the line, at 15.26 s, past the audio, in the segment of the last real words: the
    chunk, the search text and the transcript had them, and its subtitles ended in zero-length cues."""
    real = [(" Welcome", 12.0, 12.46), (" to", 12.46, 12.76), (" the", 12.76, 12.86), (" podcast.", 12.86, 13.4)]
    piled = [(" " + w, 15.26, 15.26) for w in "Welcome to the podcast about solar panels today".split()] * 3
    right = [(" Right.", 3.0, 3.0), (" So", 3.0, 3.0)]  # two words with no length: kept (they may be said)

    def seg(words):
        return {"text": "".join(w for w, _, _ in words), "start": words[0][1], "end": 15.26, "no_speech_prob": 0.0,
                "avg_logprob": -0.3, "compression_ratio": 1.5,
                "words": [{"word": w, "start": s, "end": e, "probability": 0.5} for w, s, e in words]}

    kept = drop_hallucinations([seg(right), seg(real + piled), seg(piled)], duration=15.192)
    assert [[w.word for w in s.words] for s in kept] == [["Right.", "So"], ["Welcome", "to", "the", "podcast."]]


def test_words_whisper_put_seconds_from_their_sentence_are_put_back_beside_it():
    """A recording that opens with 20 s of music, then "Good morning everyone! Today we talk about
    glaciers ...": the voice detector passed the music with the speech, and base aligned "Good" to the
    window's start, 0.0-1.02 s, the rest from 20.64 s (faster-whisper's words as recorded). The transcript
    had a sentence "Good" at 0:00 and a moment that began in the music. Misplaced words go back beside
    their sentence; a pause after a sentence end, and one of a few seconds inside one, stay as heard."""
    def seg(words):
        return {"text": "".join(w for w, _, _ in words), "start": 0.0, "end": 40.0, "no_speech_prob": 0.0,
                "avg_logprob": -0.2, "compression_ratio": 1.3,
                "words": [{"word": w, "start": s, "end": e, "probability": 0.9} for w, s, e in words]}

    heard = [(" Good", 0.0, 1.02), (" morning", 20.64, 21.0), (" everyone!", 21.0, 21.68), (" Today", 22.12, 22.42),
             (" we", 22.42, 22.64), (" talk", 22.64, 22.86), (" about", 22.86, 23.2), (" glaciers", 23.2, 23.9),
             (" and", 35.0, 38.1)]  # a last word stretched into the closing music, 11 s on
    (kept,) = drop_hallucinations([seg(heard)], duration=40.0)
    assert [w.word for w in kept.words] == [w.strip() for w, _, _ in heard]
    assert kept.words[0].end == 20.64 and kept.words[0].start == pytest.approx(20.04)
    assert [(w.start, w.end) for w in kept.words[1:-1]] == [(s, e) for _, s, e in heard[1:-1]]
    assert kept.words[-1].start == 23.9 and kept.words[-1].end == pytest.approx(24.5)
    paused = [(" Thanks.", 0.0, 0.5), (" Now", 20.6, 21.0), (" the", 21.0, 21.2), (" plan", 21.2, 21.6),
              (" is", 22.0, 22.2), (" simple,", 25.7, 26.2), (" really.", 26.2, 26.6)]  # 3.5 s inside: kept
    (kept,) = drop_hallucinations([seg(paused)], duration=40.0)
    assert [(w.start, w.end) for w in kept.words] == [(s, e) for _, s, e in paused]


# ---- openai-whisper ------------------------------------------------------------------------------------


def test_openai_whisper_tiny_random(tmp_path):
    checkpoint = write_tiny_openai_whisper_checkpoint(tmp_path / "tiny_random.pt")
    asr = make_asr(ASROptions(engine="openai-whisper", model=str(checkpoint), max_new_tokens=8), "cpu")
    assert asr.model_id == "openai-whisper:tiny_random.pt"
    start = time.monotonic()
    rng = np.random.default_rng(0)
    segments = asr.transcribe((0.05 * rng.standard_normal(3 * SAMPLE_RATE)).astype(np.float32))
    assert time.monotonic() - start < 30
    assert isinstance(segments, list) and all(isinstance(s, TranscriptSegment) for s in segments)
    for s in segments:
        assert 0.0 <= s.start <= s.end <= 3.0


def test_openai_whisper_missing_weights(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(ModelUnavailableError, match=r"\.pt"):  # an official name no installed weights convert to
        make_asr(ASROptions(engine="openai-whisper", model="small.en"), "cpu").load()
    with pytest.raises(ModelUnavailableError, match="not found"):
        make_asr(ASROptions(engine="openai-whisper", model=str(tmp_path / "nope.pt")), "cpu").load()


def test_converted_tiny_en_matches_ctranslate2(tmp_path):
    """The packaged CTranslate2 tiny.en as an openai-whisper checkpoint: every weight has its place and
    the encoder computes what CTranslate2's does on the same features (both hold the float16 weights)."""
    import ctranslate2
    import torch
    from whisper.model import ModelDimensions, Whisper

    from momentsearch.models.whisper_convert import write_checkpoint

    folder = resolve_faster_whisper_model("tiny.en")
    checkpoint = torch.load(write_checkpoint(folder, tmp_path / "tiny.en.pt"), weights_only=True)
    assert checkpoint["dims"]["n_vocab"] == 51864 and checkpoint["dims"]["n_text_layer"] == 4
    model = Whisper(ModelDimensions(**checkpoint["dims"]))
    model.load_state_dict({k: v.float() for k, v in checkpoint["model_state_dict"].items()})  # strict: all, no more
    mel = (0.5 * np.random.default_rng(0).standard_normal((1, 80, 3000))).astype(np.float32)
    ours = model.encoder(torch.from_numpy(mel)).detach().numpy()
    theirs = np.array(ctranslate2.models.Whisper(folder, compute_type="float32").encode(
        ctranslate2.StorageView.from_array(mel)))
    assert np.abs(ours - theirs).max() < 1e-3 * np.abs(theirs).max()


def test_openai_whisper_runs_offline_on_the_installed_weights(tmp_path, monkeypatch, fw_tiny, speech):
    """`--asr openai-whisper:tiny.en` with no whisper cache and no downloads: the installed faster-whisper
    weights are converted once into momentsearch's cache and hear what faster-whisper hears."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("MOMENTSEARCH_CACHE", str(tmp_path / "cache"))
    asr = make_asr(ASROptions(engine="openai-whisper", model="tiny.en"), "cpu").load()
    size = (Path(resolve_faster_whisper_model("tiny.en")) / "model.bin").stat().st_size  # the source's, in the name
    assert [p.name for p in (tmp_path / "cache" / "openai-whisper").iterdir()] == [f"tiny.en-{size}.pt"]
    assert asr._model.alignment_heads.to_dense().sum() == 8  # tiny.en's word-timing heads, not the default half
    segments = asr.transcribe(speech)
    ours = _words(" ".join(s.text for s in segments))
    theirs = _words(" ".join(s.text for s in fw_tiny.transcribe(speech)))
    assert len(set(ours) & set(theirs)) >= 0.8 * len(set(theirs)), (ours, theirs)
    words = [w for s in segments for w in s.words]
    assert words and all(0 <= w.start <= w.end <= len(speech) / SAMPLE_RATE + 0.01 for w in words)


def test_make_asr_unknown_engine():
    with pytest.raises(ModelUnavailableError, match="engine"):
        make_asr(ASROptions(engine="kaldi"), "cpu")


def test_clip_half_precision_input_matches_the_weights():
    """On CUDA open_clip casts convolutions and linear layers to fp16 and keeps embeddings in float32;
    images must go in as the convolution's type, not the model's first parameter's (a float32 class
    embedding): on an H200 every image batch failed with 'Input type (FloatTensor) and weight type
    (HalfTensor) should be the same'. The same cast here, on the CPU."""
    import open_clip
    import torch

    from momentsearch.models.clip import input_dtype

    clip = ClipModel(str(TINY_CLIP_CONFIG), "random").load()
    open_clip.model.convert_weights_to_lp(clip._model, torch.float16)
    assert next(clip._model.visual.parameters()).dtype == torch.float32  # what was taken before
    assert input_dtype(clip._model.visual) == torch.float16
    vecs = clip.embed_images([Image.new("RGB", (64, 48), (255, 0, 0)), Image.new("RGB", (64, 48), (0, 0, 255))])
    assert vecs.shape == (2, 32) and vecs.dtype == np.float32 and _unit_rows(vecs)


def test_missing_cuda12_cublas_is_a_clear_error():
    """CTranslate2's wheels open CUDA 12's cuBLAS at the first matrix product, so on a CUDA 13 machine the
    model loads and the first window fails: the error says what to install or link, and other errors pass."""
    from momentsearch.models.asr import FasterWhisperASR

    class Engine:
        def __init__(self, message):
            self.message = message

        def transcribe(self, *args, **kwargs):
            raise RuntimeError(self.message)

    asr = FasterWhisperASR(ASROptions(model="tiny.en"))
    asr._model = Engine("Library libcublas.so.12 is not found or cannot be loaded")
    with pytest.raises(ModelUnavailableError, match="libcublas.so.12.*LD_LIBRARY_PATH.*--device cpu"):
        asr.transcribe(np.zeros(16000, np.float32))
    asr._model = Engine("out of memory")
    with pytest.raises(RuntimeError, match="^out of memory$"):
        asr.transcribe(np.zeros(16000, np.float32))


def test_auto_device_keeps_faster_whisper_off_a_gpu_it_cannot_use(monkeypatch):
    """torch can see a GPU through CUDA 13 while CTranslate2 needs CUDA 12's cuBLAS: "auto" then runs
    speech recognition on the CPU and says why; an explicit "cuda" stops before any file."""
    import momentsearch.models.asr as asr_module

    monkeypatch.setattr(asr_module, "resolve_device", lambda name: "cuda")
    problem = "CTranslate2 (faster-whisper's engine) cannot use CUDA here: libcublas.so.12: cannot open shared object file"
    monkeypatch.setattr(asr_module, "ctranslate2_cuda_problem", lambda: problem)
    auto = asr_module.FasterWhisperASR(ASROptions(model="tiny.en"), "auto")
    assert auto.resolved_device() == "cpu" and "on the CPU" in auto.device_note and "libcublas.so.12" in auto.device_note
    with pytest.raises(ModelUnavailableError, match="libcublas.so.12.*LD_LIBRARY_PATH"):
        asr_module.FasterWhisperASR(ASROptions(model="tiny.en"), "cuda").resolved_device()
    monkeypatch.setattr(asr_module, "ctranslate2_cuda_problem", lambda: None)  # a machine where it can
    fine = asr_module.FasterWhisperASR(ASROptions(model="tiny.en"), "auto")
    assert fine.resolved_device() == "cuda" and fine.device_note == ""


def test_ctranslate2_cuda_problem_on_this_machine():
    import ctranslate2

    from momentsearch.models.device import ctranslate2_cuda_problem

    problem = ctranslate2_cuda_problem()
    if ctranslate2.get_cuda_device_count() == 0:
        assert "sees no CUDA GPU" in problem
    else:  # a GPU machine: usable, or its cuBLAS 12 is missing
        assert problem is None or "libcublas" in problem


def test_words_left_when_every_fallback_temperature_failed_are_not_kept_as_speech():
    """A coffee break's chatter (voices too far off to follow) in a lecture: the batched pass lost the stretch,
    the sequential decoder tried temperatures 0.0 to 1.0, each failed Whisper's log-probability check, and
    faster-whisper kept what was left at 1.0: "Thank you very much." (-1.69), stored as the lecturer's words
    and found by search. Such a result is Whisper's own failure; a segment that passed at some temperature,
    or one decoded without a fallback to run out of (`temperatures = [0.0]`), is kept as before."""
    from types import SimpleNamespace

    from momentsearch.models.asr import FasterWhisperASR
    from momentsearch.options import ASROptions

    def seg(text, start, logprob, temperature):
        words = [SimpleNamespace(word=" " + w, start=start + i * 0.3, end=start + i * 0.3 + 0.3, probability=0.5)
                 for i, w in enumerate(text.split())]
        return SimpleNamespace(text=" " + text, start=start, end=start + 3.0, words=words, compression_ratio=1.0,
                               no_speech_prob=0.3, avg_logprob=logprob, temperature=temperature)

    class Engine:
        def transcribe(self, samples, **kwargs):
            return iter([seg("Today we look at recursion.", 0.0, -0.2, 0.0),
                         seg("Memoization stores results.", 10.0, -0.8, 0.4),  # passed once sampled
                         seg("Thank you very much.", 20.0, -1.69, 1.0)]), SimpleNamespace(language="en")

    def heard(temperatures):
        asr = FasterWhisperASR(ASROptions(temperatures=temperatures))
        asr._model, asr._batched = Engine(), None
        return [s.text for s in asr.transcribe(np.zeros(30 * 16000, np.float32))]

    assert heard([0.0, 0.2, 0.4, 0.6, 0.8, 1.0]) == ["Today we look at recursion.", "Memoization stores results."]
    assert heard([0.0])[-1] == "Thank you very much."  # no fallback: nothing ran out
    kept = drop_hallucinations([seg("Thank you very much.", 20.0, -1.69, 1.0)], 30.0)  # no temperature given
    assert [s.text for s in kept] == ["Thank you very much."]
