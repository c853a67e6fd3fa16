"""Out of memory: which stage ran out (from the libraries' words and the frames the error passed through) and what
takes less memory there, as one OutOfMemoryError for the CLI (and any program) to show in a line."""

from __future__ import annotations

import traceback

from momentsearch.errors import OutOfMemoryError, out_of_memory

# where an allocation failed (a module in its traceback, or words in a model's load error) -> what ran, and what
# takes less memory there; the first that matches names the stage
_STAGES = (
    (("faster_whisper", "ctranslate2", "whisper", "models/asr", ":transcribe"), "speech recognition (Whisper)",
     "--asr tiny.en (the smaller Whisper model)"),
    (("rapidocr", "onnxruntime", "models/ocr", "pipeline/ocr", "slide_reads"), "slide OCR",
     "--no-ocr (no slide text)"),
    (("open_clip", "torch", "models/clip"), "CLIP (the visual channel)",
     "an install without CLIP (the optional visual channel: its torch alone maps 3 GB of address space)"),
    (("chromadb", "momentsearch/store"), "writing the index (Chroma)", ""),
    (("minilm", "models/text", "sentence_vectors"), "the text encoder (MiniLM)", ""),
    (("/av/", "pipeline/decode", "pipeline/opening", ":probe", "frame_reader", "pipeline/sampling"),
     "decoding the video", ""),
)


def memory_error(exc: BaseException) -> OutOfMemoryError | None:
    """An OutOfMemoryError for an allocation that failed (in `exc` or what it was raised from), naming the stage
    that ran out and what takes less memory there; None for any other error."""
    if isinstance(exc, OutOfMemoryError):
        return exc
    if not out_of_memory(exc):
        return None
    chain = _chain(exc)
    clues = [clue for e in chain for clue in [str(e).lower(), *_frames(e)]]  # innermost first: the library that failed
    stage, lighter = next(((name, hint) for clue in clues for keys, name, hint in _STAGES
                           if any(key in clue for key in keys)), ("indexing", ""))
    detail = next((str(e) for e in chain if str(e)), type(exc).__name__).splitlines()[0][:200]
    return OutOfMemoryError(
        f"out of memory in {stage} ({detail}). Indexing with the default models needs about 0.9 GB of free memory, "
        f"1.7 GB where CLIP's torch is installed (3 and 6 GB of address space under `ulimit -v`); close other "
        f"programs or raise the limit{', or use ' + lighter if lighter else ''}. Finished files are kept: re-run the "
        f"same command to resume")


def _frames(exc: BaseException) -> list[str]:
    """Each frame `exc` passed through as "file:function", innermost first."""
    return [f"{f.filename}:{f.name}" for f in reversed(traceback.extract_tb(exc.__traceback__))]


def _chain(exc: BaseException | None) -> list[BaseException]:
    """`exc` and the errors it was raised from, innermost (the library's own words) first."""
    found: list[BaseException] = []
    while exc is not None and all(exc is not e for e in found):
        found.append(exc)
        exc = exc.__cause__ or exc.__context__
    return found[::-1]
