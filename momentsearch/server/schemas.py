"""The HTTP API's request and response models: what its OpenAPI schema says."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from momentsearch.options import MAX_RESULTS


class _Answer(BaseModel):
    """A response model. Every answer carries each of its fields (a default fills one the route leaves out), so
    the schema marks them all required: a client generated from it need not guard against a missing key."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


# -- response models (the OpenAPI schema) --------------------------------------------------------
class ErrorOut(_Answer):
    error: str = Field(description="what went wrong, and how to fix it when the caller can")
    status: int


class MomentOut(_Answer):
    video: str = Field(description="the file's path on the server (as in `momentsearch search --json`)")
    video_id: str
    kind: str
    start: float = Field(description="seconds")
    end: float = Field(description="seconds")
    score: float
    channels: dict[str, float] = Field(description="calibrated score per channel, the parts of `score`: the "
                                       "channels the file has (0.0: nothing matched there), not those it lacks")
    text: str
    evidence: dict[str, str]
    segment_id: str
    hit: list[float] | None = Field(description="[start, end] seconds of the strongest matched words inside the "
                                               "moment (speech, else slide text); null when none matched there")
    by_sound: list[str] = Field(description="the channels that matched by sound-alike letters (a word heard or "
                                            "read wrong), not by the query's words: their text does not hold them")
    copies: list[str] = Field(description="the other paths of the same recording (identical files indexed once), "
                                          "on the server; `video` names the first indexed; and the files of the same "
                                          "lecture trimmed or with another intro, shifted in time (twins)")
    copies_at: dict[str, float] = Field(description="each of `copies` -> where this moment starts in it, seconds "
                                                    "(`start` in an identical copy, shifted in a twin)")
    copies_ids: dict[str, str] = Field(description="each of `copies` -> the video id it is played by "
                                                   "(`/api/media/ID`; the page's `/?v=ID#t=SECONDS` with its "
                                                   "`copies_at`): a twin's own, `video_id` for an identical copy")
    deck: str = Field(description="\"lecture.pdf p. 4\" where the slide text matched by words OCR did not read on "
                      "the slide, from that page of the lecture's PDF deck beside the video; \"\" otherwise")
    url: str
    name: str = Field(description="the video's file name")
    snippet: str = Field(description="text to show: the matched transcript, else slide text, else the speech in range")
    thumb_id: str | None = Field(description="segment id for /api/thumbs, null when the video has no picture")
    media_url: str
    thumb_url: str | None
    captions_url: str
    page_url: str = Field(description="the moment in the server's own web page (`/?q=QUERY&v=VIDEO_ID#t=START`; "
                          "`/?v=VIDEO_ID#t=START` for an image search): relative to the server as `media_url` is, "
                          "so join it to the address the server is reached at, a proxy's path prefix included "
                          "(`url` is the file on the server's disk)")


class SearchOut(_Answer):
    query: str
    image_text: str | None = None  # an image query: the words read on it ("" none), searched as text
    image_note: str | None = None  # an image query: "" when the picture itself was compared, else why not
    picture_note: str | None = None  # a text query: why a kind of picture it asks for is found by words alone, or ""
    searched_for: str | None = None  # a text query whose typos were put right: what was searched instead
    corrected: list[list[str]] = []  # ... and each [typed, searched] word
    searched_in: str | None = None  # a text query that names one indexed lecture ("recursion in week 3"): its path
    named_lecture: str | None = None  # ... and the words that named it ("week 3"), searched there, not as words
    lecture_could_be: list[str] | None = None  # a text query naming a lecture several files could be: their paths
    ambiguous_lecture: str | None = None  # ... and the words that named it ("the algorithms lecture"), as typed
    empty_note: str = ""  # a query (text or image) that found nothing: why, in the CLI's words ("" when it found something)
    marked_words: list[str] = Field([], description="words of the results' text that hold a query word in another "
                                    "form (its stem: \"glacier\" for \"glaciers\"), lower case, accents folded: "
                                    "the page marks them as it marks the query's own words")
    results: list[MomentOut]
    offset: int = Field(0, description="how many ranked results came before these (the `offset` asked for)")
    next_offset: int | None = Field(None, description="the offset that asks for the next page of results; null "
                                    f"when there is none (a search returns at most {MAX_RESULTS})")
    took_ms: float
    warnings: list[str] = []


class VideoOut(_Answer):
    video_id: str
    name: str
    kind: str
    duration: float = Field(description="seconds")
    channels: list[str]
    sources: dict[str, str] = Field(default={}, description="channel -> where its text came from (asr or captions)")
    language: str = Field(default="", description="spoken language, '' when unknown")
    media_url: str
    captions_url: str


class VideosOut(_Answer):
    videos: list[VideoOut] = Field(description="one page of the indexed videos, by path (`offset`, `limit`)")
    channels: list[str] = Field(description="the channels of the whole index")
    total: int = Field(description="how many videos the index holds, on every page")
    offset: int = Field(description="the first video's place among them all (0: the first)")
    limit: int = Field(description="the most videos one page holds (the `limit` asked for, or the default)")
    next_offset: int | None = Field(description="the offset that asks for the next page; null on the last")


class ExamplesOut(_Answer):
    examples: list[str] = Field(description="queries drawn from the index (slide titles, spoken words)")


class ChapterOut(_Answer):
    start: float = Field(description="seconds")
    end: float = Field(description="seconds")
    title: str
    source: str = Field(description="'slides' (a slide's title) or 'speech' (a topic of the speech)")


class ChaptersOut(_Answer):
    video_id: str
    chapters: list[ChapterOut]


class SentenceOut(_Answer):
    start: float = Field(description="seconds")
    end: float = Field(description="seconds")
    text: str


class TranscriptOut(_Answer):
    video_id: str
    source: str = Field(description="where the speech came from ('asr: ENGINE:MODEL' or 'captions: ...'), "
                                    "'' when the file has no speech")
    language: str = Field(description="spoken language, '' when unknown")
    sentences: list[SentenceOut]


class ClockOut(_Answer):
    video_id: str
    origin: float = Field(description="seconds of the file's first timestamp, where index times count from "
                                      "(0 for a photo)")


class HealthOut(_Answer):
    status: Literal["ok"]
    videos: int
    channels: list[str]
    models_loaded: bool
    warnings: list[str] = []
    writing: str = Field("", description="while an index run writes into the served folder, the line saying so "
                                         "(also in warnings); empty otherwise")
    notes: list[str] = Field([], description="what the start page says of the indexed files: files moved away or "
                                            "changed since indexing, files an older momentsearch made (with the "
                                            "`momentsearch index --reindex` command that redoes them); also in "
                                            "warnings")


ERRORS = {code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 413, 416, 422, 500, 503)}
