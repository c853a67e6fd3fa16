"""Bringing a reader's corpus up to date after another process's commit by the files the commit changed.

A reader (`serve`, a notebook's MomentIndex) keeps every transcript and slide text row with their BM25 indexes
(search/corpus.py). After each commit of another process (`index` makes three per file) it read all of them again
and tokenized every text anew: about 3 s at 40,000 rows, paid by the first search after each file of a long
indexing run. Now it keeps its rows' term counts (LexicalIndex.counts, ranking/term_counts.py) and the change mark
it read them at, and reads only the rows of the files changed since (store/changes.py's log).

The corpus so followed is the one a whole read gives, row for row: rows are kept in the store's order (the order
they were first written; a row updated in place keeps its place), and the ones to read again are taken from the
end of the collection (`Store.iter_all`'s `start`): where one of those is not of a changed file (a changed file's
row updated in place among the others), the whole collection is read instead, as when the log cannot say.
BM25 is built again from the kept counts: its idf and mean text length change with every row, and that
build is numpy alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from momentsearch.ranking.lexical import LexicalIndex, document_terms
from momentsearch.ranking.term_counts import TermCounts
from momentsearch.store.changes import ChangeMark, changed_since, mark_of
from momentsearch.store.store import GENERATION_KEY, Store


@dataclass
class Rows:
    """A collection's rows as a reader keeps them, in the store's order."""

    ids: list[str]
    texts: list[str]
    metas: list[dict]


def read_mark(store, since: ChangeMark | None) -> tuple[ChangeMark | None, set[str] | None]:
    """(the change mark of a live store's rows read from now on, the files whose rows may differ now from rows
    read at `since`: None when the log cannot say), from one read of the index's metadata, made before the rows
    are; (None, None) for a snapshot, which never changes."""
    if not isinstance(store, Store):
        return None, None
    meta = store.metadata_of("files")
    generation = int(meta.get(GENERATION_KEY, 0))
    return mark_of(meta, generation), (changed_since(meta, generation, since) if since is not None else None)


def _file_of(id_: str, meta: dict) -> tuple[str, str]:
    return id_.partition(":")[0], str(meta.get("video_id", ""))


def followed_rows(store, name: str, rows: Rows, changed: set[str]) -> tuple[Rows, list[int]] | None:
    """`rows` with the rows of the files `changed` read again from the collection `name`, and which of the old
    rows were kept (their positions, in order; the new ones follow them); None when the store's order does not
    allow it (a row of a changed file lies among the others), or a row names no file it could be read again by."""
    keep = [i for i, (id_, meta) in enumerate(zip(rows.ids, rows.metas))
            if not changed.intersection(_file_of(id_, meta))]
    out = Rows([rows.ids[i] for i in keep], [rows.texts[i] for i in keep], [rows.metas[i] for i in keep])
    for id_, doc, meta in store.iter_all(name, start=len(keep)):
        by_id, by_meta = _file_of(id_, meta)
        if by_id != by_meta or by_id not in changed:
            return None
        out.ids.append(id_)
        out.texts.append(doc or "")
        out.metas.append(meta)
    return out, keep


def followed_counts(kept: LexicalIndex, texts: list[str], keep: list[int], added: list[str]) -> TermCounts:
    """The term counts of `kept`'s texts `keep` (`texts`: all of them, counted again where `kept` was read from the
    disk cache without its counts), then of the texts `added`."""
    counts = kept.counts if kept.counts is not None else TermCounts.of([document_terms(t) for t in texts])
    return counts.rows(keep).joined(TermCounts.of([document_terms(t) for t in added], counts.table))
