"""MomentIndex's word on why a text query found nothing, the same in every front door (the CLI's text, --json and
--queries answers, and /api/search's `empty_note`)."""

from __future__ import annotations

from momentsearch.search.query import filters_to_blame, missing_kind_note, nothing_found_note, nothing_indexed_note
from momentsearch.search.scope import Named, Scope


class WhyNothing:
    """What says why a search found nothing; MomentIndex (momentsearch/api.py) is one, and gives `search`,
    `channels`, `searchable_channels`, `videos`, `db` and `chroma_url`."""

    def why_nothing(self, query: str, kind: str | None = None, video: Named | None = None, in_: Scope = None,
                    everywhere: bool = False) -> str:
        """Why `search(query, kind=kind, video=video, in_=in_, everywhere=everywhere)` found nothing: the index
        holds no searchable file (yet: a first run still writing it is named); no result of the `kind` asked
        for; its "phrases" and -words, when its words alone, searched the same way, find something (`-adam
        optimizer` on lectures that never say "optimizer" is not to blame); every word too common; or nothing
        above the relevance floor."""
        db = None if self.chroma_url else self.db  # (while a first run writes it: its files come, no other run wanted)
        if note := nothing_indexed_note(self.channels(), self.searchable_channels(), db):
            return note
        return missing_kind_note(kind, self.videos()) or nothing_found_note(
            query, filters_to_blame(query, lambda words: self.search(words, k=1, kind=kind, video=video, in_=in_,
                                                                     everywhere=everywhere)))
