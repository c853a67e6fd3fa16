"""The index on disk or on a Chroma server: collections (store.py), clients (client.py), entry ids
(ids.py, the only part the pipeline imports) and the one-writer lock (lock.py)."""
