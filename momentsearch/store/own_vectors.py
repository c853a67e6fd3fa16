"""A Chroma collection handle that uses only the vectors we pass, never the embedding function persisted with it."""

from __future__ import annotations

import copy


def own_vectors_only(col) -> None:
    """Make this process's handle on `col` forget an embedding function persisted with the collection.

    chromadb rebuilds a persisted function from its config each time it reads the collection's schema,
    which every add/upsert/update does; for its built-ins ("sentence_transformer", "open_clip": the
    names our own functions report, so plain chromadb can use them) that means importing torch and
    loading the model, seconds per run. We always pass our own vectors, so the handle keeps only the
    function the caller gave (if any). The stored collection is left as it is, so plain chromadb still
    finds the function there (README: querying an index with chromadb alone).
    """
    model = getattr(col, "_model", None)  # chromadb offers no public way to skip the rebuild
    schema = getattr(model, "serialized_schema", None)
    if not isinstance(schema, dict):
        return
    schema = copy.deepcopy(schema)
    persisted = False
    for value_types in [schema.get("defaults"), *(schema.get("keys") or {}).values()]:
        index = ((value_types or {}).get("float_list") or {}).get("vector_index") or {}
        config = index.get("config") or {}
        if (config.get("embedding_function") or {}).get("type") not in (None, "legacy"):
            config["embedding_function"] = {"type": "legacy"}  # read back as "no function"
            persisted = True
    if persisted:
        model["serialized_schema"] = schema
        model["configuration_json"] = {**(model.configuration_json or {}), "embedding_function": None}
