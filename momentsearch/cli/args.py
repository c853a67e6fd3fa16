"""The `momentsearch` command line: its subcommands and flags (argparse), no behaviour."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import textwrap

from momentsearch.api import QUERY_SYNTAX
from momentsearch.cli import extras, transcripts
from momentsearch.options import DEFAULT_CONFIG, MAX_RESULTS, SHIPPED_CONFIGS, ASROptions, CaptionOptions, ModelOptions
from momentsearch.store.client import DEFAULT_DB, ChromaServer
from momentsearch.types import RESULT_ORDERS

# where `demo` indexes the sample lecture unless given --db: in the cache folder (places.cache_root)
DEMO_DB = "~/.cache/momentsearch/demo-db; demo-db in $MOMENTSEARCH_CACHE or $XDG_CACHE_HOME/momentsearch where set"


def typed_text(text: str) -> str:
    """Words typed on the command line (a query, a label) as the terminal sent them. Python decodes arguments
    with the locale's encoding: under `LC_ALL=C` with UTF-8 mode off (`PYTHONUTF8=0`) "café" arrived as
    "caf\\udcc3\\udca9" and was searched as such (a weak match, and an echo no JSON reader takes). Such bytes are
    read as UTF-8, what terminals send; bytes that are no UTF-8 either become U+FFFD."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    try:
        raw = os.fsencode(text)
    except UnicodeEncodeError:  # not as the file system's encoding decodes: leave it be
        return text
    return raw.decode("utf-8", "replace")


# The defaults the help names come from where they are set (options.py's dataclasses, store/client.py),
# or from argparse's own default (%(default)s): none is written out a second time here.
def _common(p: argparse.ArgumentParser, db_default: str = f"$MOMENTSEARCH_DB or {DEFAULT_DB}") -> None:
    # ~ expanded here too: `--db=~/idx` reaches us unexpanded (the shell expands ~ only at a word's start), and
    # made a folder named "~" in the working folder
    p.add_argument("--db", type=os.path.expanduser, help=f"index folder (default: {db_default})")
    p.add_argument("--chroma-url", help="use a Chroma server instead of a folder (http://HOST:PORT; default: "
                                        "$MOMENTSEARCH_CHROMA_URL unless --db is given)")
    # the shipped defaults by where they are on this machine: an installed package has no checkout to look in
    p.add_argument("--config", action=_Once, type=os.path.expanduser,
                   help=f"options file (TOML, YAML or JSON), or one shipped with momentsearch by its name alone "
                        f"({', '.join(sorted(p.stem for p in SHIPPED_CONFIGS.glob('*.toml')))}); every option, with "
                        f"comments: {DEFAULT_CONFIG}")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"],
                   help=f"where models run (default {ModelOptions.device})")
    p.add_argument("--clip-model", help=f"open_clip architecture (default {ModelOptions.clip_model}) or a JSON "
                                        "config path")
    p.add_argument("--clip-pretrained", help=f"pretrained tag (default {ModelOptions.clip_pretrained}), or a local "
                                             "checkpoint path")
    _chroma_flags(p)


def _chroma_flags(p: argparse.ArgumentParser) -> None:
    """Options of a shared Chroma server (--chroma-url; default $MOMENTSEARCH_CHROMA_URL when no --db)."""
    p.add_argument("--chroma-token", help="auth token for the Chroma server (safer: $MOMENTSEARCH_CHROMA_TOKEN)")
    p.add_argument("--chroma-token-header", choices=["Authorization", "X-Chroma-Token"],
                   help=f"how the token is sent (default: $MOMENTSEARCH_CHROMA_TOKEN_HEADER, else "
                        f"{ChromaServer.token_header}: Bearer TOKEN)")
    p.add_argument("--chroma-ca-cert", metavar="PEM", type=os.path.expanduser,
                   help="CA bundle that signed the server's TLS certificate (default: $MOMENTSEARCH_CHROMA_CA_CERT)")
    p.add_argument("--chroma-insecure", action="store_true",
                   help="https without certificate checks (tests only; or $MOMENTSEARCH_CHROMA_INSECURE=1)")


class _Once(argparse.Action):
    """An option that may be given once: a second --config had replaced the first without a word."""

    def __call__(self, parser, namespace, values, option_string=None):
        if getattr(namespace, self.dest, None) is not None:
            parser.error(f"{option_string} given twice ({getattr(namespace, self.dest)}, {values}): give one")
        setattr(namespace, self.dest, values)


class _Help(argparse.HelpFormatter):
    """argparse's help, wrapped at spaces only: it broke the default options file's path at a hyphen
    (".../site-\npackages/momentsearch/data/default.toml"), and a path must paste whole."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False, break_long_words=False)


class _Parser(argparse.ArgumentParser):
    """argparse, which reads `search -adam` as an unknown flag: its error then says how to pass such a query."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Help)  # the subcommands' parsers too (add_parser makes a _Parser)
        super().__init__(*args, **kwargs)

    def parse_known_args(self, args=None, namespace=None):
        self._argv = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def error(self, message: str):
        argv = getattr(self, "_argv", [])
        dashed = [a for a in argv if a.startswith("-") and not a.startswith("--") and len(a) > 2]
        if "unrecognized arguments" in message and "search" in argv and "--" in argv:
            words = argv[argv.index("--") + 1:]
            if any(_looks_like_flag(w) for w in words[1:]):  # flags after the query
                message += ("; after -- every argument is the query, so give flags before it: momentsearch search "
                            "-k 5 --json -- '-adam optimizer'")
            else:  # `search -k 1 -- -40 degrees`: the flags are before it; the words are not one argument
                message += f"; quote the query as one argument: momentsearch search -- {shlex.quote(' '.join(words))}"
        elif "unrecognized arguments" in message and "search" in argv and not dashed:  # `search heat engine`
            words = _unquoted(argv, _switches(self, "search"))
            message += f"; quote the query as one argument: momentsearch search {shlex.quote(words)}"
        elif "unrecognized arguments" in message and "search" in argv and dashed:
            message += (f"; if {dashed[0]} belongs to the query, give the query as one quoted argument after "
                        f"--: momentsearch search -- 'WORDS {dashed[0]}'")
        elif ("unrecognized arguments" in message or "arguments are required" in message) and dashed and (
                self._command(argv) in PATH_COMMANDS):  # `chapters -week1.mp4` said only "required: video"
            message += f"; a file whose name starts with a dash: ./{dashed[0]} (or give it after --)"
        elif "expected one argument" in message:  # `search x --in -week1.mp4`, `--image -photo.jpg`
            message += _dashed_value_hint(message, argv)
        super().error(message)

    def _command(self, argv: list[str]) -> str:
        """The subcommand: a subcommand's parser sees only its own argv, so its name is the end of its prog."""
        if " " in self.prog:
            return self.prog.rsplit(" ", 1)[1]
        return next((a for a in argv if not a.startswith("-")), "")


PATH_COMMANDS = {"index", "remove", "chapters", "transcript", "clip"}  # those whose arguments name files


def _dashed_value_hint(message: str, argv: list[str]) -> str:
    """How to give a flag a file whose name starts with a dash, which argparse takes for a flag: `--in ./-x`."""
    flags = message.split("argument ", 1)[-1].split(":", 1)[0].split("/")
    at = next((i for i, a in enumerate(argv) if a in flags), None)
    if at is None or at + 1 >= len(argv) or not _looks_like_flag(argv[at + 1]):
        return ""
    return f"; a file whose name starts with a dash: {flags[-1]} ./{argv[at + 1]} (or {flags[-1]}={argv[at + 1]})"


def _looks_like_flag(word: str) -> bool:
    """`-k`, `--json`; not `-40` (a minus sign: the query's)."""
    return word.startswith("-") and len(word) > 1 and not word[1].isdigit() and word[1] != "."


def _unquoted(argv: list[str], switches: set[str]) -> str:
    """The words of `search heat engine -k 2` that the shell split: the plain words after `search` that are no
    flag's value (`switches`: the flags that take none)."""
    words, flag_value = [], False
    for word in argv[argv.index("search") + 1:]:
        if flag_value:
            flag_value = False
        elif word.startswith("-"):
            flag_value = "=" not in word and word not in switches
        else:
            words.append(word)
    return " ".join(words) or "WORDS"


def _switches(parser: argparse.ArgumentParser, command: str) -> set[str]:
    """The flags of `command` that take no value (--json, --force, ...)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            return {flag for a in action.choices[command]._actions if a.nargs == 0 for flag in a.option_strings}
    return set()


def build_parser() -> argparse.ArgumentParser:
    from momentsearch import __version__

    parser = _Parser(prog="momentsearch", description="Find moments in lecture videos.")
    parser.add_argument("--version", action="version", version=f"momentsearch {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    _index_parser(sub)

    p = sub.add_parser("search", help="find moments for a text or image query",
                       epilog=f"Query syntax: {QUERY_SYNTAX}. Example: momentsearch search "
                              "'gradient \"learning rate\" -adam' --in lectures/week3/")
    p.add_argument("query", nargs="?", type=typed_text,
                   help='what to look for; "exact phrase" must occur, -word must not')
    _common(p)
    p.add_argument("-k", type=int, default=10, help=f"number of results, at most {MAX_RESULTS} (default %(default)s)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--queries", type=os.path.expanduser,
                   help="JSONL file of {qid, query} (- reads standard input); prints one JSON line per query")
    p.add_argument("--image", type=os.path.expanduser,
                   help="search with an image instead of text: its picture (CLIP, when installed) and "
                        "the words on it (a photo of a slide finds where it was shown)")
    p.add_argument("--kind", choices=["moment", "photo"], help="only this kind of result (default: both)")
    p.add_argument("--sort", choices=RESULT_ORDERS, default="score",
                   help="list the top results best first (score) or by file, then by time in each file (time); "
                        "the same results either way (default %(default)s)")
    p.add_argument("--in", dest="scope", action="append", metavar="PATH_OR_GLOB",
                   help="search only in these files: a file, a folder, a glob ('talks/*.mp4') or a video id; "
                        "repeatable")
    p.add_argument("--everywhere", action="store_true",
                   help="search every file even when the query names a lecture ('recursion in week 3' searches "
                        "the one file that 'week 3' names, else)")
    extras.add_export_flags(p)

    p = sub.add_parser("info", help="what the index holds")
    _common(p)
    p.add_argument("--json", action="store_true", help="print what the index holds as one JSON object")

    p = sub.add_parser("demo", help="index the bundled sample lecture and run a few searches")
    _common(p, DEMO_DB)
    _serve_parser(sub)
    _prune_parser(sub)
    _remove_parser(sub)
    _eval_parser(sub)
    _match_parser(sub)
    extras.add_clip_parser(sub, _common)
    extras.add_chapters_parser(sub, _common)
    transcripts.add_transcript_parser(sub, _common)
    return parser


def _index_parser(sub) -> None:
    p = sub.add_parser("index", help="index video files and folders (recursive)")
    p.add_argument("paths", nargs="+", help="files or folders")
    _common(p)
    p.add_argument("--asr", help="ASR engine or model: faster-whisper, openai-whisper, tiny.en, base, "
                                 f"ENGINE:MODEL, or a model folder (default: {ASROptions.engine} {ASROptions.model})")
    p.add_argument("--language", help="the spoken language, a Whisper code (en, de, fr, ...; default "
                                      f"{ASROptions.language or 'auto'}), or auto "
                                      "to detect it per file (needs a multilingual model: base)")
    p.add_argument("--no-ocr", action="store_true", help="do not read slide text")
    p.add_argument("--text-model", help="sentence encoder for speech and slide text (default "
                                        f"{ModelOptions.text_model}): all-MiniLM-L6-v2, all-mpnet-base-v2 (better "
                                        "on paraphrases, ~5x the text cost; "
                                        "scripts/setup.sh --mpnet, or pip install 'momentsearch[mpnet]'), or a "
                                        "sentence-transformers folder. "
                                        "An index made with one of these keeps it: later runs use it unless told "
                                        "otherwise")
    p.add_argument("--captions", choices=["auto", "prefer", "ignore"],
                   help="a video's own captions (talk.srt, talk.en.vtt, a subtitle stream) instead of ASR: "
                        "auto when they look real, prefer whenever they have words, ignore: always ASR "
                        f"(default {CaptionOptions.mode})")
    p.add_argument("--reindex", action="store_true", help="index files again even when unchanged")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    _writer_flags(p)
    _ray_flags(p)


def _ray_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ray", nargs="?", const="local", metavar="ADDRESS", action=_RayAddress,
                   help="process files on a Ray cluster: no ADDRESS starts Ray on this machine (or joins "
                        "$RAY_ADDRESS), 'auto' joins the local `ray start` cluster, HOST:6379 or "
                        "ray://HOST:10001 a remote one. Put it after the paths or give an ADDRESS")
    p.add_argument("--ray-workers", type=int, metavar="N",
                   help="worker actors (default: the options' distributed.workers; its 0: cluster CPUs // "
                        "distributed.cpus_per_worker)")


class _RayAddress(argparse.Action):
    """--ray's optional ADDRESS. `index --ray lectures/ talk.mp4` gave argparse the folder as the address: the
    folder was left out without a word (or, alone, "paths are required"). A path that is there is no address."""

    def __call__(self, parser, namespace, values, option_string=None):
        if values not in ("local", "auto") and not str(values).startswith("ray://") and os.path.exists(values):
            parser.error(f"{option_string} took {values!r} as a Ray address, but it is a file or folder: put "
                         f"{option_string} after the paths (momentsearch index PATHS... {option_string}), or give "
                         "it an address (auto, HOST:6379, ray://HOST:10001)")
        setattr(namespace, self.dest, values)


def _writer_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="if another index/prune is writing to this index, wait up to SECONDS for it "
                        "(default %(default)g: stop with a message saying who holds it)")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")


def _eval_parser(sub) -> None:
    p = sub.add_parser("eval", help="measure retrieval quality against ground truth (QVHighlights JSONL)")
    p.add_argument("ground_truth", help="JSONL of {qid, query, video (or vid), relevant_windows: [[st, ed], ...], "
                                        "type?}; QVHighlights files as released work as they are")
    _common(p)
    p.add_argument("--pred", metavar="FILE", type=os.path.expanduser,
                   help="score these predictions (another system's, QVHighlights layout) instead of searching "
                        "the index")
    p.add_argument("--out", type=os.path.expanduser,
                   help="write predictions here (QVHighlights layout: pred_relevant_windows)")
    p.add_argument("--force", action="store_true", help="with --out: replace the file if it exists (never an input)")
    p.add_argument("--baseline", metavar="FILE", type=os.path.expanduser,
                   help="another run's predictions (an earlier --out) to compare with, query by query: the "
                        "difference, its 95%% interval, the queries gained and lost, McNemar's p")
    p.add_argument("--json", action="store_true", help="print the metrics as one JSON object")


def _match_parser(sub) -> None:
    p = sub.add_parser("match", help="rank text labels for an image with CLIP (zero-shot)")
    p.add_argument("image", help="an image file")
    p.add_argument("--labels", nargs="+", required=True, type=typed_text,
                   help='descriptions, e.g. "Steel Fridge" "Wooden Chair"')
    _common(p)
    p.add_argument("--json", action="store_true", help="print the labels and their probabilities as one JSON object")


def _prune_parser(sub) -> None:
    p = sub.add_parser("prune", help="remove files that no longer exist (and orphan entries) from the index")
    _common(p)
    p.add_argument("--dry-run", action="store_true", help="only list what would be removed")
    p.add_argument("--yes", action="store_true",
                   help="remove even when more than half of the index's files are not found (an unmounted "
                        "drive looks like that; without --yes prune refuses)")
    _writer_flags(p)


def _remove_parser(sub) -> None:
    p = sub.add_parser("remove", help="take files out of the index (the files themselves stay)")
    p.add_argument("targets", nargs="+", metavar="PATH_OR_GLOB",
                   help="a file, a folder (every indexed file under it), a glob or a video id")
    _common(p)
    p.add_argument("--dry-run", action="store_true", help="only list what would be removed")
    _writer_flags(p)


def _port(text: str) -> int:
    """A TCP port: uvicorn took 70000 modulo 65536 and listened on 4464 while saying 70000."""
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a whole number from 1 to 65535, got {text!r}")
    return port


def _serve_parser(sub) -> None:
    p = sub.add_parser("serve", help="web page and HTTP API: search, then play the moment")
    _common(p)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default %(default)s, this machine only)")
    p.add_argument("--port", type=_port, default=8000, help="port, 1-65535 (default %(default)s)")
    p.add_argument("--token", default=None,
                   help="require this token on every API call (default: $MOMENTSEARCH_TOKEN, else none; prefer "
                        "the variable: a flag shows in `ps` to every user of the machine)")
    p.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                   help="without a token, also answer requests for this host name (besides localhost and IP "
                        "addresses; others are refused as DNS rebinding); repeatable")
    p.add_argument("--root-path", type=_root_path, default=None, metavar="PREFIX",
                   help="the path prefix a reverse proxy serves this under and strips (/lecture-search): /docs "
                        "and /openapi.json name it (the page works behind such a proxy without it; default none)")
    p.add_argument("--frame-origin", action="append", default=[], metavar="ORIGIN",
                   help="let pages of this origin (https://lms.example.edu) show the page in an iframe (default: "
                        "none may); repeatable")
    p.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                   help="let scripts of this origin call the API, the token as 'Authorization: Bearer' (CORS; "
                        "default: none may); repeatable")


def _root_path(text: str) -> str:
    """`--root-path` as `/a/b` (leading slash, none at the end; `/` or empty: none)."""
    if any(c in text for c in "?#") or "://" in text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a path prefix: give the path alone, as /lecture-search")
    parts = [p for p in text.split("/") if p]
    return "/" + "/".join(parts) if parts else ""
