"""The `momentsearch` command. The only place that prints, and turns errors into exit codes.

Exit codes: 0 success; 1 some files failed to index; 2 bad usage or an error (message on stderr); 3 (`index`) none
failed, but some were skipped as still being copied, downloaded or recorded: the next run indexes them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from momentsearch.cli import batch, extras, stopping, streams, transcripts
from momentsearch.cli.args import build_parser
from momentsearch.cli.config import asr_overrides as _asr_overrides  # noqa: F401 - tests call it here
from momentsearch.cli.config import config_for as _config
from momentsearch.cli.config import with_run_flags
from momentsearch.errors import MomentSearchError, QueryError, out_of_memory
from momentsearch.store.filestate import MODIFIED, file_state, stale_results_warnings
from momentsearch.types import STILL_ARRIVING, in_order

EXIT_OK, EXIT_FILES_FAILED, EXIT_ERROR, EXIT_FILES_ARRIVING = 0, 1, 2, 3


def _resolve_chroma(args) -> None:
    """--chroma-url (or $MOMENTSEARCH_CHROMA_URL unless --db is given) plus token/TLS -> a ChromaServer."""
    import os

    from momentsearch.store.client import ChromaServer

    if not hasattr(args, "chroma_url"):
        return
    url, named_by = args.chroma_url, "--chroma-url"
    if url and args.db:  # one index: --db had been dropped without a word
        raise QueryError("give --db (a local index folder) or --chroma-url (a Chroma server), not both")
    if not url and not args.db:
        url, named_by = os.environ.get("MOMENTSEARCH_CHROMA_URL"), "$MOMENTSEARCH_CHROMA_URL"
    if url:
        args.chroma_url = ChromaServer.from_env(
            url, token=args.chroma_token, token_header=args.chroma_token_header, ca_cert=args.chroma_ca_cert,
            verify_tls=False if args.chroma_insecure else None, named_by=named_by)


def _index_for(args):
    from momentsearch.api import MomentIndex

    return MomentIndex(args.db, _config(args), chroma_url=args.chroma_url)


def main(argv: list[str] | None = None) -> int:
    with streams.script_friendly_streams():  # a non-UTF-8 name prints escaped; `2>&1 | head -1` stops no run
        return _run(argv)


def _run(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        _resolve_chroma(args)
        command = {"index": cmd_index, "search": cmd_search, "info": cmd_info, "demo": cmd_demo,
                   "serve": cmd_serve, "prune": cmd_prune, "remove": cmd_remove, "eval": cmd_eval,
                   "match": cmd_match, "clip": lambda a: extras.cmd_clip(a, _index_for(a)),
                   "chapters": lambda a: extras.cmd_chapters(a, _index_for(a)),
                   "transcript": lambda a: transcripts.cmd_transcript(a, _index_for(a))}[args.command]
        with stopping.sigterm_as_interrupt(args.command):  # `kill`: ends as a Ctrl-C does
            return command(args)
    except MomentSearchError as exc:
        from momentsearch.cli.output import safe_text

        print(f"momentsearch: error: {safe_text(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt as exc:  # Ctrl-C, or `kill` (stopping.Terminated)
        return stopping.say_stopped(exc, args.command)
    except BrokenPipeError:  # `momentsearch info --json | head`: the reader has what it wanted
        streams.stdout_gone()
        return EXIT_OK
    except OSError as exc:  # a file or folder named on the command line that cannot be written or read
        if exc.filename is None:
            raise
        from momentsearch.cli.output import safe_text

        name = os.fsdecode(exc.filename) if isinstance(exc.filename, bytes) else str(exc.filename)
        print(f"momentsearch: error: {safe_text(name)}: {exc.strerror}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - the Chroma server went away mid-run: httpx errors are no OSErrors
        if out_of_memory(exc):  # a library's allocation failed outside a model's stage: one line, not its traceback
            return extras.no_memory(exc, args.command)
        return extras.lost_server(exc, getattr(args, "chroma_url", None))


def cmd_index(args) -> int:
    if not args.quiet:  # the store and the models take seconds to load: say so before anything else
        print("momentsearch: opening the index and loading models…", file=sys.stderr, flush=True)
    from momentsearch.cli.output import ProgressDisplay

    index = _index_for(args)
    extras.say_queued(index, args.wait)
    with ProgressDisplay(enabled=not args.quiet) as progress:
        report = index.index(args.paths, reindex=args.reindex, progress=progress, wait=args.wait, ray=args.ray)
    report.warnings = with_run_flags(report.warnings, args)  # its --reindex command: with this run's options
    status = EXIT_FILES_FAILED if any(f.status == "failed" for f in report.files) else EXIT_OK
    if status == EXIT_OK and any(f.status == "skipped" and f.reason.startswith(STILL_ARRIVING) for f in report.files):
        status = EXIT_FILES_ARRIVING  # a cron job can tell "try again later" from "done"
    try:  # the summary's reader may have gone (`| head -1`): the status still says whether files failed
        _print_index_report(args, report)
        sys.stdout.flush()  # here, not at exit: a pipe found closed then is this run's to report
    except BrokenPipeError:
        streams.stdout_gone()
    return status


def _print_index_report(args, report) -> None:
    from momentsearch.cli.output import print_report, shown_path

    if args.json:
        streams.print_json({
            "files": [{"path": shown_path(f.path), "status": f.status, "reason": f.reason, "video_id": f.video_id,
                       "duration": f.duration, "channels": f.channels} for f in report.files],
            "warnings": report.warnings, "models": report.models, "times": report.times.seconds,
            **({"ray": vars(report.ray)} if report.ray else {}),
        })
    else:
        print_report(report)
        if report.ray:
            _print_ray(report.ray)


def _print_ray(info) -> None:
    from momentsearch.cli.output import plural

    speed = f", {info.media_seconds / info.wall_seconds:.2f} media s per wall s" if info.wall_seconds > 0 else ""
    if info.workers:
        print(f"Ray ({info.address}): {plural(info.workers, 'worker')} on {plural(info.nodes, 'node')}, "
              f"{info.media_seconds:.0f} media s indexed in {info.wall_seconds:.1f} s{speed}")
    else:
        print("Ray: nothing to send to workers (all files unchanged or handled locally)")


def cmd_prune(args) -> int:
    from momentsearch.cli.output import safe_text, shown_path

    index = _index_for(args)
    extras.say_queued(index, args.wait)
    report = index.prune(wait=args.wait, dry_run=args.dry_run, yes=args.yes)
    _say_writer(report.writer, "its orphan entries may be those of a file that run is writing")
    if args.json:
        streams.print_json({"removed": [*map(shown_path, report.removed)], "orphans": report.orphans,
                            "dry_run": args.dry_run, "unplaced": report.unplaced, "erased": report.erased,
                            "writer": report.writer})
        return EXIT_OK
    verb = "would remove" if args.dry_run else "removed"
    for path in report.removed:
        print(f"{verb}: {safe_text(path)} (file no longer exists)")
    for path in report.unplaced:
        print(f"kept: {safe_text(path)} (a relative path from an older index; run prune from the folder it "
              "was indexed from to place it)")
    orphans = sum(report.orphans.values())
    from momentsearch.cli.output import plural

    done = "would be removed" if args.dry_run else "removed"
    print(f"{plural(len(report.removed), 'file')} {done}, {orphans} orphan entries "
          f"{'found' if args.dry_run else 'deleted'}")
    return EXIT_OK


def _say_writer(writer: str, caveat: str) -> None:
    """A dry run that listed while another run wrote the index (it took no lock): says so on stderr."""
    if writer:
        print(f"momentsearch: note: {writer} is writing this index now; this dry run lists without waiting for it "
              f"({caveat})", file=sys.stderr)


def cmd_remove(args) -> int:
    from momentsearch.cli.output import plural, safe_text, shown_path

    index = _index_for(args)
    extras.say_queued(index, args.wait)
    report = index.remove(args.targets, wait=args.wait, dry_run=args.dry_run)
    _say_writer(report.writer, "the list is the index as it stood")
    if args.json:
        streams.print_json({"removed": [*map(shown_path, report.removed)], "dry_run": args.dry_run,
                            "writer": report.writer,
                            "erased": report.erased})
        return EXIT_OK
    verb = "would remove" if args.dry_run else "removed"
    for path in report.removed:
        print(f"{verb}: {safe_text(path)}")
    print(f"{plural(len(report.removed), 'file')} {'would be ' if args.dry_run else ''}taken out of the index (the "
          "files themselves are untouched: `index` of a folder that holds them adds them back)")
    return EXIT_OK


def cmd_search(args) -> int:
    from momentsearch.cli.output import print_moments, safe_text

    given = [name for name, on in (("a query", args.query is not None), ("--image", args.image),
                                   ("--queries", args.queries)) if on]
    if len(given) > 1:  # one would be searched and the other silently dropped
        raise QueryError(f"give one of a query, --image or --queries (got {' and '.join(given)})")
    if args.queries:
        return batch.batch_search(args, _index_for(args))
    index = _index_for(args)
    index.use_snapshot = True  # a one-off search: no chromadb import when a snapshot is current
    words, note, spelled = None, "", None
    if args.image:
        moments, words = index.image_query(args.image, k=args.k, kind=args.kind, in_=args.scope)
        query, note = args.image, extras.image_note_of(index)
    else:
        if args.query is None:
            raise QueryError("give a query: momentsearch search \"what to find\" (or --image PATH, --queries FILE)")
        moments = index.search(args.query, k=args.k, kind=args.kind, in_=args.scope, everywhere=args.everywhere)
        query, note = args.query, extras.picture_note_of(index, args.query)
        spelled = index.spelled(args.query, in_=args.scope, everywhere=args.everywhere)
    moments = in_order(moments, args.sort)  # the top k either way: --sort time lists them as they were said
    clips = extras.export_clips(index, moments, args.export_clips, args.clip_pad, quiet=args.json,
                                force=args.force) if args.export_clips else []
    empty = "" if moments else (extras.why_no_image_match(index, args.kind) if args.image
                                else index.why_nothing(query, args.kind, in_=args.scope, everywhere=args.everywhere))
    if args.json:  # "empty_note": why nothing was found, as the text output and the HTTP API say it
        streams.print_json({"query": query, **({"image_text": words, "image_note": note} if args.image
                                               else {"picture_note": note, **spelled.to_json()}),
                            "results": [m.to_json() for m in moments], **({"empty_note": empty} if empty else {}),
                            # a batch still writing into it, unfinished files, ...: an empty answer is not the last word
                            "warnings": extras.index_notes_of(index) + stale_results_warnings(moments, index.video),
                            **({"clips": [c.to_json() for c in clips]} if args.export_clips else {})})
    else:
        if args.image:
            extras.print_image_words(words, note)
        print_moments(query, moments, index.channels(), spelling=spelled.note() if spelled else "", empty_note=empty,
                      db="" if index.chroma_url else index.db)
        if note and not args.image:  # a query for a kind of picture, answered by words alone
            print(f"Note: {note}.")
        for note in extras.index_notes_of(index):  # a batch still writing into it, unfinished files, ...
            print(f"Note: {safe_text(note)}.")
    return EXIT_OK


def cmd_info(args) -> int:
    from momentsearch.cli.info_output import print_info
    from momentsearch.cli.output import shown_path

    index = _index_for(args)
    index.use_snapshot = True
    info = index.info()
    if args.json:
        streams.print_json({
            "db": info.db, "channels": info.channels, "models": info.models, "counts": info.counts,
            "writing": info.writing, "notes": info.notes,
            "files": [{"path": shown_path(f.path), "video_id": f.video_id, "kind": f.kind, "duration": f.duration,
                       "channels": f.channels, "sources": f.sources, "language": f.language, "complete": f.complete,
                       "exists": os.path.exists(f.path), "changed": file_state(f) == MODIFIED,
                       "version": f.version or None} for f in info.files],
        })
    else:
        print_info(info)
    return EXIT_OK


DEMO_QUERIES = ["where do they discuss the roadmap", "how do solar panels turn light into power",
                "questions from the audience"]


def cmd_demo(args) -> int:
    from momentsearch.cli.output import ProgressDisplay, print_moments, print_report

    sample = Path(__file__).resolve().parents[1] / "data" / "sample_lecture.mp4"
    if args.db is None and args.chroma_url is None:
        from momentsearch.places import cache_root, is_private

        root = cache_root()
        if is_private(root):  # removed as this process exits: the search command printed below would find nothing
            raise MomentSearchError("no home folder to keep the demo index in (HOME is unset and this user has no "
                                    "passwd entry): give it a folder with --db DIR, or set MOMENTSEARCH_CACHE")
        args.db = str(root / "demo-db")  # (args.DEMO_DB)
    index = _index_for(args)
    print(f"Indexing the sample lecture {sample.name} into {args.chroma_url or args.db}")
    with ProgressDisplay() as progress:
        report = index.index([str(sample)], progress=progress)
    print_report(report)
    index.use_snapshot = True  # the searches below leave a snapshot: the next `search` starts at once
    for query in DEMO_QUERIES:
        found = index.search(query, k=3)
        print_moments(query, found, index.channels(), empty_note="" if found else index.why_nothing(query))
    where = args.chroma_url and f"--chroma-url {args.chroma_url}" or f"--db {_quoted(args.db)}"
    print(f"\nThe demo index is in {args.chroma_url or args.db}. Search it yourself:\n"
          f"  momentsearch search \"solar panels\" {where}\n"
          f"Index your own lectures: momentsearch index ~/lectures  (then: momentsearch search \"...\")")
    return EXIT_OK


def _quoted(path: str) -> str:
    import shlex

    from momentsearch.places import home_folder

    home = str(home_folder() or "\0")
    return "~" + shlex.quote(path[len(home):]) if path.startswith(home + "/") else shlex.quote(path)


def cmd_serve(args) -> int:
    import os

    try:
        from momentsearch.server.app import serve
    except ImportError as exc:
        raise MomentSearchError(f"serve needs the server extra: pip install 'momentsearch[server]' ({exc})") from exc
    from momentsearch.server.origins import origins

    frames, cors = origins(args.frame_origin, "--frame-origin"), origins(args.cors_origin, "--cors-origin")
    token = args.token or os.environ.get("MOMENTSEARCH_TOKEN") or None
    if args.token:  # a process's arguments are everyone's to read; its environment is its owner's alone
        print("momentsearch: warning: a token given with --token shows in `ps` to every user of this machine; "
              "set it in $MOMENTSEARCH_TOKEN instead", file=sys.stderr)
    if args.host not in ("127.0.0.1", "localhost", "::1") and not token:
        print(f"momentsearch: warning: serving on {args.host} without --token: anyone who can reach this "
              "port can search the index and watch the videos", file=sys.stderr)
    index = _index_for(args)
    index.store  # an existing index, or one clear line now (IndexNotFoundError) instead of at the first request
    _check_bind(args.host, args.port)  # one clear line now, not uvicorn's error after "serving" (exit 3)
    shown = "[::1]" if args.host == "::1" else args.host
    print(f"momentsearch: serving {args.chroma_url or index.db} at http://{shown}:{args.port}/ "
          "(loading models first; Ctrl-C stops)", flush=True)
    serve(index, host=args.host, port=args.port, token=token, allowed_hosts=tuple(args.allowed_host),
          root_path=args.root_path or "", frame_origins=frames, cors_origins=cors)
    return EXIT_OK


def _check_bind(host: str, port: int) -> None:
    """QueryError when the server could not listen at host:port (the port taken, an address not here)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        with socket.socket(infos[0][0], socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(infos[0][4])
    except OSError as exc:
        raise QueryError(f"cannot serve at {host}:{port}: {exc.strerror or exc}") from None


def cmd_eval(args) -> int:
    from momentsearch.evaluate import (evaluate, format_report, json_safe, load_ground_truth, load_predictions,
                                       predictions_to_jsonl, run_eval)
    from momentsearch.chapters import write_atomically
    from momentsearch.evaluate.compare import compare_reports, format_comparison

    if args.out == "-":  # the report is what stdout carries; a file named "-" was written instead
        raise QueryError("eval --out -: the metrics are printed on stdout; give --out a file for the predictions")
    if args.out:  # checked before any query is searched: never over an input or into a folder; --force to replace
        extras.check_output(args.out, [args.ground_truth, args.pred, args.baseline], args.force)
    truths = load_ground_truth(args.ground_truth)
    baseline = load_predictions(args.baseline, truths) if args.baseline else None  # a wrong path fails first
    if baseline is not None:
        extras.note_unmatched(baseline, truths, args.baseline)
    if args.pred:
        predictions = load_predictions(args.pred, truths)
        extras.note_unmatched(predictions, truths, args.pred)
        report = evaluate(predictions, truths)
    else:
        predictions, report = run_eval(index := _index_for(args), truths)
        extras.note_unindexed(index, truths)  # their queries count as misses: say which
    if args.out:
        write_atomically(args.out, "".join(line + "\n" for line in predictions_to_jsonl(truths, predictions)))
    rows = compare_reports(evaluate(baseline, truths, report.unmeasurable), report) if baseline is not None else []
    if args.json:
        against = {"against_baseline": [{"queries": name, **c.to_json()} for name, c in rows]} if rows else {}
        streams.print_json(json_safe(report.to_json() | against), allow_nan=False)
    else:
        print(format_report(report, f"{len(truths)} queries, {args.ground_truth}"))
        if rows:
            print("\n" + format_comparison(rows, args.baseline, args.pred or "this run"))
    return EXIT_OK


def cmd_match(args) -> int:
    ranked = _index_for(args).match_labels(args.image, args.labels)
    if args.json:
        streams.print_json({"image": args.image, "labels": [{"label": k, "probability": round(p, 6)}
                                                            for k, p in ranked]})
    else:
        for label, prob in ranked:
            print(f"{prob:7.3f}  {label}")
    return EXIT_OK

