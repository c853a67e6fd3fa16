"""Which of a run's models can change a file's entries, by the kind of file.

A photo has no speech, and a video whose transcript came from its own captions was not transcribed: another
`--asr` cannot change their entries. Compared whole, a switch of Whisper model redid every photo and captioned
video of the folder (and named them as "indexed before with other models"), for the same entries.
"""

from __future__ import annotations

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
    return models_that_matter(record, record.models, captions) == models_that_matter(record, models, captions)
