"""`momentsearch search --queries FILE`: one JSON line out for each {qid, query} line in.

FILE may be `-` (standard input) or anything that reads as a file: a named pipe, `/dev/stdin`, a shell's
`<(...)`. Lines are read and answered one at a time, so a script that writes a query and waits for its
answer line gets it at once."""

from __future__ import annotations

import io
import json
import stat
import sys
from pathlib import Path

from momentsearch.cli import extras, streams
from momentsearch.errors import QueryError

EXIT_OK, EXIT_ERROR = 0, 2


def open_queries(name: str):
    """The query lines' text stream (UTF-8 whatever the locale says), or QueryError naming what is wrong."""
    if name == "-":
        if sys.stdin is None or sys.stdin.closed:
            raise QueryError("--queries -: standard input is closed; pipe the JSONL lines in, or name a file")
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="strict")
    path = Path(name)
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = None
    if mode is None:
        raise QueryError(f"--queries {name}: file not found")
    if stat.S_ISDIR(mode):
        raise QueryError(f"--queries {name}: a folder; give a JSONL file of {{qid, query}} lines")
    return open(path, encoding="utf-8", errors="strict")


def batch_search(args, index) -> int:
    """Answers each line of `args.queries`; exit status 2 when a line was no {qid, query} object."""
    source = "<stdin>" if args.queries == "-" else args.queries
    stream = open_queries(args.queries)
    bad = 0
    try:
        for n, line in enumerate(_lines(stream, source), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                item = None
            if not isinstance(item, dict) or not isinstance(item.get("query"), str):
                # one bad line stops no other query: it is answered with an error, and the exit status says so
                bad += 1
                qid = item.get("qid", n) if isinstance(item, dict) else n
                streams.print_json({"qid": qid, "results": [], "error": f"{source}:{n}: expected a JSON object "
                                    "with a 'query' string"}, flush=True)
                continue
            streams.print_json(_answer(index, args, item.get("qid", n), item["query"]), flush=True)
    finally:
        if args.queries == "-":
            stream.detach()  # sys.stdin's buffer stays open for whoever owns it
        else:
            stream.close()
    if bad:
        print(f"momentsearch: error: {bad} line(s) of {source} are not a JSON object with a 'query' string",
              file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def _lines(stream, source: str):
    try:
        yield from stream
    except UnicodeDecodeError as exc:
        raise QueryError(f"--queries {source}: not UTF-8 text ({exc.reason}); save it as UTF-8") from None


def _answer(index, args, qid, query: str) -> dict:
    try:
        results = [m.to_json() for m in index.search(query, k=args.k, kind=args.kind, in_=args.scope,
                                                      everywhere=args.everywhere)]
        empty = {} if results else {"empty_note": index.why_nothing(query, args.kind, in_=args.scope,
                                                                   everywhere=args.everywhere)}
        spelled = index.spelled(query, in_=args.scope, everywhere=args.everywhere)
        return {"qid": qid, "query": query, "picture_note": extras.picture_note_of(index, query),
                **spelled.to_json(), "results": results, **empty}
    except QueryError as exc:
        return {"qid": qid, "query": query, "results": [], "error": str(exc)}
