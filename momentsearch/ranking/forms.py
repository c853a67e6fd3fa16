"""Other ways of writing a query that the lexical channels also search (the best score of each text wins).

A form is searched only where it helps: one that makes no more of the query's words known to the index
would only dilute the query (always adding the joined form of "trophik 10% rule" cost it its top result:
"trophik10% rule" leaves "rule" alone to match).
"""

from __future__ import annotations

from momentsearch.ranking.lexical import camel_split, code_forms
from momentsearch.ranking.units import unit_forms


def query_forms(query: str, index=None) -> list[str]:
    """The query, with its camelCase split ("KeyError" -> "Key Error", as OCR and speech recognition write
    it), and its codes glued or apart ("ECON110" / "ECON 110") where `index` (anything with `unknown_terms`)
    knows more of its words so, and its quantities in other units ("2 minutes" / "120 seconds": exact, so
    always searched)."""
    forms = [query, camel_split(query), *unit_forms(query)]
    if index is not None:
        unknown = len(index.unknown_terms(query))
        forms += [f for f in code_forms(query) if len(index.unknown_terms(f)) < unknown]
    return list(dict.fromkeys(forms))
