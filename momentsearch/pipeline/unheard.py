"""Speech the recogniser gave no words for, or words it was unsure of: what to tell the user.

Speech is taken for English unless told otherwise (`asr.language`). Forced to English, Whisper turns a
German lecture into English it is unsure of ("and welcome to the horizon to the new game of the game",
mean word probability 0.46, where the benchmark's noisy English lectures score 0.68-0.85), or into English
so improbable that its own silence rule drops all of it: such a file was indexed with a wrong transcript,
or with the note "no speech found", and nothing said why. Now

- windows that come back without words are run through the voice detector (Silero, inside faster-whisper;
  nothing is done for windows with words): a file left with no transcript but `MIN_SECONDS` of speech
  says so;
- a file whose words' mean probability is under `UNSURE` says Whisper was unsure of them;

and both give Whisper's guess at the language of the file's first speech (`asr.language_of`, where the
engine and model can guess), with what to run instead. Nothing switches language by itself: on the
benchmark's noisy English Whisper's guess names Welsh or Latin with up to 0.7, and a clearly spoken German
lecture German with 0.61-0.84 (docs/benchmarks.md, "5 Dec, night"), so a guess is advice, not a decision.
"""

from __future__ import annotations

import numpy as np

from momentsearch.types import SAMPLE_RATE, TranscriptSegment

MIN_SECONDS = 5.0  # seconds of speech without words before a file's note says so
UNSURE = 0.55  # a file's words with a mean probability under this were heard in doubt (another language?)
MIN_WORDS = 20  # ... counted over at least this many words
DETECTED = 0.5  # a language detected with a lower probability is a guess (faster-whisper's own threshold for a
#                30 s stretch's language to count as detected, `language_detection_threshold`)
DETECT_SECONDS = 30.0  # Whisper detects a language from this much speech (one of its segments)
KEPT_SECONDS = 120.0  # the file's first seconds of audio, kept for Whisper's guess at its language
NAMES = {"de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch",
         "pl": "Polish", "ru": "Russian", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "ar": "Arabic",
         "tr": "Turkish", "sv": "Swedish", "hi": "Hindi", "en": "English", "cy": "Welsh", "la": "Latin",
         "th": "Thai", "hu": "Hungarian", "cs": "Czech", "da": "Danish", "fi": "Finnish", "no": "Norwegian",
         "el": "Greek", "uk": "Ukrainian", "ro": "Romanian", "ca": "Catalan", "nn": "Nynorsk", "ms": "Malay"}


class Unheard:
    """Keeps the file's first audio (`start`) and the speech of windows transcribed without a word (`add`),
    then says what they mean (`note`)."""

    def __init__(self) -> None:
        self.seconds = 0.0  # speech the voice detector heard in windows without words
        self.first: np.ndarray | None = None
        self.languages: dict[str, list] = {}  # language detected for windows -> [words heard, best probability]

    def heard_in(self, language: str, probability: float | None, segments: list[TranscriptSegment]) -> None:
        """A window whose language Whisper detected (`probability`, None where the engine gives none)."""
        words = sum(len(s.words) for s in segments)
        if language and words:
            tally = self.languages.setdefault(language, [0, probability])
            tally[0] += words
            if probability is not None and (tally[1] is None or probability > tally[1]):
                tally[1] = probability

    @property
    def language(self) -> str:
        """The language most of the file's words were detected in so far ("" before any)."""
        return max(self.languages, key=lambda code: self.languages[code][0]) if self.languages else ""

    def start(self, samples: np.ndarray) -> None:
        """The first window's audio (16 kHz): its first `KEPT_SECONDS` are kept."""
        if self.first is None:
            self.first = np.array(samples[:int(KEPT_SECONDS * SAMPLE_RATE)], dtype=np.float32)

    def add(self, samples: np.ndarray) -> None:
        """A window (16 kHz) that came back without words."""
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        spans = get_speech_timestamps(np.asarray(samples, dtype=np.float32), VadOptions())
        self.seconds += sum(s["end"] - s["start"] for s in spans) / SAMPLE_RATE

    def note(self, asr, options, transcript: list[TranscriptSegment]) -> str:
        """"" unless speech went without words or the words were unsure (or, with the language detected, it was
        detected unsure); then what happened, Whisper's guess at the language and what to run instead.
        `options`: ASROptions."""
        probabilities = [w.probability for s in transcript for w in s.words]
        asked = options.language
        name = NAMES.get(asked, asked) + " " if asked else ""  # "English ", or "" when Whisper chose
        heard = ""
        if transcript:
            if len(probabilities) >= MIN_WORDS and float(np.mean(probabilities)) < UNSURE:
                mean = float(np.mean(probabilities))
                heard = f"Whisper was unsure of its {name or 'words '}(mean word probability {mean:.2f})"
        elif self.seconds >= MIN_SECONDS:
            heard = f"speech heard ({self.seconds:.0f} s) but no {name}words recognised"
        if not asked:  # Whisper chose the language: say which, and how sure, where the words or the choice are doubtful
            code = self.language or getattr(asr, "detected_language", "") or ""
            probability = self.languages[code][1] if code in self.languages else \
                getattr(asr, "language_probability", None)
            return detected_note(code, probability, heard, transcript)
        if not heard:
            return ""
        language_of = getattr(asr, "language_of", None)
        guess = language_of(self.first) if language_of is not None and self.first is not None else None
        if guess and guess[0] != asked and guess[1] < DETECTED:  # no language stands out: switching is no advice
            code, probability = guess
            return (f"{heard}; Whisper cannot tell its language either (its best guess, {NAMES.get(code, code)}, "
                    f"has probability {probability:.2f}): noise, music, or an unusual voice?")
        if guess and guess[0] != asked:
            code, probability = guess
            return (f"{heard}; it sounds like {NAMES.get(code, code)} ({code}, {probability:.2f}): if it is, "
                    f"index it again with --language {code} --reindex (or --language auto)")
        if guess and guess[0] == asked:  # the language is right: another language to try is no advice
            return (f"{heard}; it does sound like {NAMES.get(asked, asked)}: noise, reverb or a distant microphone? "
                    "A larger model hears more (--asr small --reindex, where its weights are installed)")
        if str(options.model).endswith(".en"):
            return (f"{heard}: noise, music, or another language? {options.model} knows English only: "
                    "--asr base --language auto --reindex")
        return f"{heard}: noise, music, or another language? --language auto --reindex detects it"


def detected_note(code: str, probability: float | None, heard: str, transcript: list[TranscriptSegment]) -> str:
    """The note for a file whose language Whisper detected (`--language auto`) as `code` with `probability`
    (None: the engine gives none): `heard` (doubted words, or speech without words; "" when neither) with
    the language it chose, and the language alone when it was chosen with a probability under `DETECTED`.
    Transcribed in a wrong language (base took espeak's French for Thai), a file's words are noise in every
    search, and the summary said only "too noisy, or music?"."""
    if not code or (not heard and not (transcript and probability is not None and probability < DETECTED)):
        return f"{heard}: too noisy, or music?" if heard else ""
    how = f", detected with probability {probability:.2f}" if probability is not None else ""
    chosen = f"took its language for {NAMES.get(code, code)} ({code}{how})"
    fix = "if it is another, index it again with --language CODE --reindex (de, fr, es, ...)"
    if heard:
        return f"{heard}; it {chosen}: {fix}; else too noisy, or music?"
    return f"Whisper {chosen}: {fix}"
