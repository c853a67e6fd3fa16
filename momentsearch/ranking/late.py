"""Late interaction: a query scored against a text word piece by word piece (MaxSim, as ColBERT does).

A sentence vector is the mean of its word pieces' contextual vectors, so a chunk is near a query when
its words are near the query's on average, topic words included: in a lecture about memory, every
chunk that says "memory" is near "actively recalling material works better than going over it
again". Late interaction keeps the pieces apart: each content word piece of the query finds its best
match among the text's pieces ("recalling" ~ "recall", "going over it again" ~ "rereading"), and
the text scores the mean of those best matches. The sentence encoder's own token vectors are used as
they come (no model trained for it); the score is blended into the transcript channel's cosine
(`ranking.late_share`), mapped onto the cosine's scale first (`late_scale`).

An identical word piece counts at most `exact_cap`: the lexical channel already scores the query's
own words, and counting them twice let any chunk that repeats one query word (a year, a name) beat
the one that says the same thing in other words.
"""

from __future__ import annotations

import numpy as np

from momentsearch.ranking.lexical import tokenize

TokenVectors = tuple[list[str], np.ndarray]  # word pieces and their L2-normalised vectors (one row each)


def content_pieces(query: TokenVectors) -> TokenVectors:
    """The query's word pieces that carry meaning (stopwords and punctuation left out); all of them
    when none does."""
    pieces, vectors = query
    keep = [i for i, p in enumerate(pieces) if tokenize(p.removeprefix("##"))]
    if not keep:
        return pieces, vectors
    return [pieces[i] for i in keep], vectors[keep]


def late_scores(query: TokenVectors, texts: list[TokenVectors], exact_cap: float = 0.5) -> np.ndarray:
    """Per text: the mean over the query's content pieces of the best cosine with one of the text's
    pieces, identical pieces counting at most `exact_cap`. An empty text scores 0."""
    pieces, q = content_pieces(query)
    q, words = np.asarray(q, dtype=np.float32), np.asarray(pieces, dtype=object)
    out = np.zeros(len(texts), dtype=np.float64)
    if not pieces:
        return out
    for i, (text_pieces, vectors) in enumerate(texts):
        if not text_pieces:
            continue
        sims = q @ np.asarray(vectors, dtype=np.float32).T  # (query pieces, text pieces)
        same = words[:, None] == np.asarray(text_pieces, dtype=object)[None, :]
        sims = np.where(same, np.minimum(sims, exact_cap), sims)
        out[i] = float(sims.max(axis=1).mean())
    return out
