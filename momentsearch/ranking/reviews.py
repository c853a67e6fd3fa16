"""Sections that name topics taught elsewhere: a recap of last week, an outline, the closing summary.

A course's lecture often opens by going over the last one, and its slide and words repeat the earlier
lecture's key phrases packed into one short span. Searched with the whole course, that span matches a
query about the earlier material as well as the teaching does, often better (the teaching spreads the
same words over minutes of speech that the recogniser garbles): on a folder of four weekly lectures
(`scripts/independent_course_folder.py`) all five queries on material a recap repeated were answered
with the recap. A student asking about the material wants where it was taught; so unless the query asks
for one (`asks_review`: "the recap of last week", "the learning outcomes", "the summary"), a hit inside
- a review of an earlier session (REVIEW: its slide's title, "Recap", "Review of ...", "Last week",
  "Previously", or a transcript chunk that opens with "a quick recap of last week", "last week in brief")
  or a list of what the lecture will teach (PREVIEW: "Learning outcomes", "Outline", "Agenda": its
  speech said "read a storm hydrograph" and beat the slide "The Storm Hydrograph" on the probe) counts
  `review_weight` (search option, default 0.5: the teaching wins where it matches at least half as well);
- the lecture's own closing summary (SUMMARY: "Summary", "Wrap-up", "Conclusions") counts
  `summary_weight` (0.75, chosen on dev: 0.5 lost a query that quotes a line of a summary, which is said
  there; on the student-query probe it gives the teaching back to "what's the difference between a
  movement along the demand curve and a shift").
"The recap of last week" also names the REVIEW sections as a place (ranking/structure.py). Pure numpy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

import numpy as np

from momentsearch.ranking.fusion import ChannelHits

REVIEW, PREVIEW, SUMMARY = "review", "preview", "summary"  # what a span restates (module doc)

EARLIER = r"(?:last|previous|earlier) (?:week|time|lecture|session|class|lesson)s?"  # an earlier session
REVIEW_TITLE = re.compile(rf"^\W*(?:(?:a |quick |brief )?(?:recap|review|revision)|previously|where we left off)\b"
                          rf"|\b(?:recap|review|summary|reminder) of {EARLIER}\b|^\W*{EARLIER}\b", re.IGNORECASE)
# the words a review opens with; a passing "as we saw last week" in the middle of a chunk is no review
REVIEW_SAID = re.compile(rf"^\W*(?:\w+\W+){{0,4}}?(?:(?:recap|review)(?:ping|ing)? (?:of |what we \w+ )?{EARLIER}"
                         rf"|{EARLIER} in (?:brief|short|a nutshell))\b", re.IGNORECASE)
# a slide that lists what the lecture will teach (learning outcomes, an outline): its words name the topics to come
PREVIEW_TITLE = re.compile(r"^\W*(?:(?:today'?s |this week'?s |the )?(?:learning |lecture |session )?"
                           r"(?:outcomes|objectives|goals|aims|outline|agenda|contents|table of contents|plan)"
                           r"|plan for today|what we will (?:cover|learn)|in this (?:lecture|session|class|video))\W*$",
                           re.IGNORECASE)
# the lecture's own closing summary: it restates today's topics, more briefly than a recap packs last week's
SUMMARY_TITLE = re.compile(r"^\W*(?:summary(?! statistic| table| of (?:the )?data)|wrap(?:ping)?[ -]?up|conclusions?"
                           r"|(?:key )?takeaways|in summary|to sum up)\b", re.IGNORECASE)
ASKS_REVIEW = re.compile(rf"\b(?:recap\w*|review\w*|revision|summar\w+|reminder|{EARLIER}|previously"
                         rf"|went over|go over|going over|intro|introduction|overview|outlin\w+|agenda|objectives?"
                         rf"|outcomes?|goals?|aims?|plan|preview|contents|conclu\w+|takeaways?|wrap(?:ping)?[ -]?up"
                         rf"|sum(?:ming)? up)\b", re.IGNORECASE)


def asks_review(query: str) -> bool:
    """Whether the query asks for a review or a preview itself ("recap of last week", "the summary", "the
    learning outcomes")."""
    return bool(ASKS_REVIEW.search(query))


_TITLES = {REVIEW: REVIEW_TITLE, PREVIEW: PREVIEW_TITLE, SUMMARY: SUMMARY_TITLE}


def review_spans(titles: Iterable[tuple[float, float, str]], chunks: Iterable[tuple[float, float, str]],
                 kinds: tuple[str, ...] = (REVIEW,)) -> np.ndarray:
    """(n, 2) start/end of a video's spans of `kinds`: slide entries (start, end, title) whose title names
    one, and for REVIEW transcript chunks (start, end, text) that open with one. REVIEW: a review of an
    earlier session; PREVIEW: a list of what the lecture will teach ("Learning outcomes", "Outline",
    "Agenda"); SUMMARY: the lecture's closing summary ("Summary", "Wrap-up", "Conclusions")."""
    spans = [(s, e) for s, e, title in titles if any(_TITLES[k].search(title or "") for k in kinds)]
    if REVIEW in kinds:
        spans += [(s, e) for s, e, text in chunks if REVIEW_SAID.search(text or "")]
    return np.asarray(spans, dtype=np.float64).reshape(-1, 2)


def demote_reviews(hits: dict[str, ChannelHits], reviews: dict[str, np.ndarray],
                   weight: float) -> dict[str, ChannelHits]:
    """`hits` with each hit whose middle lies in one of its video's `reviews` scored `weight` times as much."""
    if weight >= 1.0 or not any(len(r) for r in reviews.values()):
        return hits
    out = {}
    for name, channel in hits.items():
        scale = np.ones(len(channel))
        for i, (video, start, end) in enumerate(zip(channel.video_ids, channel.starts, channel.ends)):
            spans, mid = reviews.get(video), (start + end) / 2
            if spans is not None and len(spans) and ((spans[:, 0] <= mid) & (mid < spans[:, 1])).any():
                scale[i] = weight
        out[name] = replace(channel, scores=channel.scores * scale) if (scale < 1).any() else channel
    return out
