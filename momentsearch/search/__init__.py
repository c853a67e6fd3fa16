"""Query time: the searcher (searcher.py) over the cached corpus of transcript rows and BM25 (cache.py)."""
