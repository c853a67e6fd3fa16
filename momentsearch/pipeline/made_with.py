"""Which of a run's models can change a file's entries, by the kind of file.

A photo has no speech, and a video whose transcript came from its own captions was not transcribed: another
`--asr` cannot change their entries. Compared whole, a switch of Whisper model redid every photo and captioned
video of the folder (and named them as "indexed before with other models"), for the same entries.
"""

from __future__ import annotations

from momentsearch.model_ids import models_match

REPORT_ORDER = ("text", "asr", "clip", "ocr")  # the keys of FileRecord.models, as an index run reports them
SPEECH_MODEL = "asr"  # the key of FileRecord.models (and IndexReport.models) that only transcribed speech uses


def transcribed(record, captions: str = "auto") -> bool:
    """Whether `record`'s entries hold speech that ASR heard, or would with captions mode `captions` (a video's
    own captions ignored now are transcribed): not a photo, not a transcript from captions still taken."""
    if record.kind == "photo":
        return False
    return captions == "ignore" or not record.sources.get("transcript", "").startswith("captions:")


def models_that_matter(record, models: dict[str, str], captions: str = "auto") -> dict[str, str]:
    """`models` (as FileRecord.models) less those that cannot change `record`'s entries."""
    if transcribed(record, captions):
        return models
    return {k: v for k, v in models.items() if k != SPEECH_MODEL}


def same_models(record, models: dict[str, str], captions: str = "auto") -> bool:
    """Whether this run's `models` (captions mode `captions`) would make `record`'s entries as its own made them."""
    was, now = models_that_matter(record, record.models, captions), models_that_matter(record, models, captions)
    return models_match(was, now)  # an id stored before CLIP ids carried fingerprints matches its fingerprinted id


def models_in(records) -> dict[str, str]:
    """The models that made the files of `records` (FileRecords), by kind (as FileRecord.models): the one id where
    every file that uses it shares it, else each with its count ("faster-whisper:base (1 file),
    faster-whisper:tiny.en (2 files)"). Said of the last file alone, an index whose older lectures another
    `--asr` made named one model for all."""
    used: dict[str, dict[str, int]] = {kind: {} for kind in REPORT_ORDER}
    for record in records:
        for kind, model in models_that_matter(record, record.models).items():
            used.setdefault(kind, {}).setdefault(model, 0)
            used[kind][model] += 1
    return {kind: next(iter(ids)) if len(ids) == 1 else ", ".join(
        f"{model} ({n} file{'s' * (n > 1)})" for model, n in sorted(ids.items())) for kind, ids in used.items() if ids}
