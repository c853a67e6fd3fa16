"""The README and docs/deploy.md as a new user reads them: every `momentsearch COMMAND --flag` they show is
a flag of that command, every script they name is there with the flags they give it, and the output
samples they quote are what the CLI writes."""

from __future__ import annotations

import argparse
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from momentsearch.cli.args import build_parser
from momentsearch.types import Moment

ROOT = Path(__file__).resolve().parents[1]
# every page a user reads: a new page under docs/ is checked without being listed here. benchmarks.md is a
# dated log: the flags and files it names are those of the day it was written
DOCS = ["README.md", *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md") if p.name != "benchmarks.md"),
        "configs/README.md"]
FLAG = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")


def _doc_lines():
    for name in DOCS:
        for number, line in enumerate((ROOT / name).read_text(encoding="utf-8").splitlines(), 1):
            yield f"{name}:{number}", line


def _commands() -> dict[str, set[str]]:
    parser = build_parser()
    common = {o for action in parser._actions for o in action.option_strings}
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {name: common | {o for action in sub._actions for o in action.option_strings}
            for name, sub in subs.choices.items()}


def _outside_quotes(text: str) -> str:
    """A command line's words outside its quoted arguments (a query such as '"roof" -budget' holds no flags)
    and before a `--` (after it every argument is the query)."""
    text = re.sub(r"\"[^\"]*\"|'[^']*'", " ", text)
    return re.split(r"(?<!\S)--(?!\S)", text)[0]


def test_every_flag_the_docs_give_a_command_is_one_of_its_flags():
    commands = _commands()
    wrong = []
    for where, line in _doc_lines():
        # a command runs to the end of its code span, a comment (#) or a table cell
        for match in re.finditer(r"momentsearch ([a-z]+)((?: [^`#|\n]*)?)", line):
            name, rest = match.groups()
            if name not in commands:
                continue
            wrong += [f"{where}: momentsearch {name} {flag}" for flag in FLAG.findall(_outside_quotes(rest))
                      if flag not in commands[name]]
    assert not wrong, wrong


def test_every_script_the_docs_name_is_there_with_the_flags_they_give_it():
    missing = []
    for where, line in _doc_lines():
        for match in re.finditer(r"scripts/([\w]+\.(?:py|sh))([^`;)#\n]*)", line):
            script = ROOT / "scripts" / match.group(1)
            if not script.exists():
                missing.append(f"{where}: {script.name}")
                continue
            source = script.read_text(encoding="utf-8")
            missing += [f"{where}: {script.name} {flag}" for flag in FLAG.findall(_outside_quotes(match.group(2)))
                        if flag.startswith("--") and flag not in source]
    assert not missing, missing


def test_the_files_and_links_the_docs_name_are_there():
    missing = []
    for where, line in _doc_lines():
        base = ROOT / Path(where.split(":")[0]).parent
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", line):  # relative markdown links
            if not (base / target).exists():
                missing.append(f"{where}: {target}")
        for path in re.findall(r"`((?:momentsearch|scripts|tests|docs|configs)/[\w./-]+)`", line):
            if not (ROOT / path).exists():
                missing.append(f"{where}: {path}")
    assert not missing, missing


def _json_sample() -> tuple[set[str], set[str], set[str]]:
    """The keys README's `search "roadmap" -k 5 --json` line and its comment lines quote: (top level, each
    result, added for a typo)."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if "--json" in line and line.startswith("momentsearch search"))
    comment = lines[start].split("#", 1)[1]
    for line in lines[start + 1:]:
        if not line.lstrip().startswith("#"):
            break
        comment += line.lstrip()[1:]
    top, rest = comment.split("[{", 1)
    result, after = rest.split("}]", 1)
    return set(re.findall(r'"(\w+)"', top)), set(re.findall(r'"(\w+)"', result)), set(re.findall(r'"(\w+)"', after))


def test_the_readmes_search_json_sample_is_what_search_json_writes(monkeypatch, capsys):
    """README "Use" showed `{"query", "results": [...]}`; the CLI writes "picture_note" beside them on every
    search (and "searched_for", "corrected" where it put a typo right), so a script written from the README
    met a key it was not told of."""
    top, result, typo = _json_sample()
    moment = Moment(video="/srv/talks/week3.mp4", video_id="ab" * 8, start=27.3, end=42.5, score=1.1,
                    channels={"transcript": 0.5, "lexical": 1.0}, text="the roadmap", evidence={}, segment_id="",
                    kind="moment", hit_start=30.0, hit_end=31.5)

    from fakes import FakeIndex

    class ReadmeIndex(FakeIndex):
        chroma_url = "http://chroma.invalid"  # (no writer looked for)

        def search(self, query, **_):
            return [] if query == "the" else [moment]

        def channels(self):
            return {"transcript", "ocr"}

        def spelled(self, query, **_):
            if len(query) > 100:  # a pasted page, cut to MAX_QUERY_CHARS
                return SimpleNamespace(to_json=lambda: {"left_out_words": 3}, note=lambda: "")
            if query == "roadmap in week 3":  # a lecture named: searched in that file alone
                return SimpleNamespace(to_json=lambda: {"searched_for": "roadmap", "corrected": [],
                                                        "searched_in": "/srv/talks/week3.mp4",
                                                        "named_lecture": "week 3"}, note=lambda: "")
            if query == "roadmap in the talks lecture":  # a lecture two files could be: searched in both, said so
                return SimpleNamespace(to_json=lambda: {"lecture_could_be": ["/srv/talks/week3.mp4", "/srv/talks/week4"
                                                        ".mp4"], "ambiguous_lecture": "the talks lecture"},
                                       note=lambda: "")
            changed = query != "roadmap"
            return SimpleNamespace(to_json=lambda: {"searched_for": "roadmap", "corrected": [[query, "roadmap"]]}
                                   if changed else {}, note=lambda: "")

    cli_main = importlib.import_module("momentsearch.cli.main")
    monkeypatch.setattr(cli_main, "_index_for", lambda args: ReadmeIndex())
    assert cli_main.main(["search", "roadmap", "-k", "5", "--json"]) == 0
    written = json.loads(capsys.readouterr().out)
    assert set(written) == top | {"results"}
    assert set(written["results"][0]) == result
    assert cli_main.main(["search", "raodmap", "-k", "5", "--json"]) == 0
    corrected = set(json.loads(capsys.readouterr().out)) - set(written)
    assert cli_main.main(["search", "roadmap " * 300, "-k", "5", "--json"]) == 0
    cut = set(json.loads(capsys.readouterr().out)) - set(written)
    assert cli_main.main(["search", "roadmap in week 3", "-k", "5", "--json"]) == 0
    cut |= set(json.loads(capsys.readouterr().out)) - set(written)
    assert cli_main.main(["search", "roadmap in the talks lecture", "-k", "5", "--json"]) == 0
    cut |= set(json.loads(capsys.readouterr().out)) - set(written)
    assert cli_main.main(["search", "the", "-k", "5", "--json"]) == 0  # nothing found
    assert corrected | cut | (set(json.loads(capsys.readouterr().out)) - set(written)) == typo


def test_setup_sh_takes_the_ray_flag_docs_deploy_names(tmp_path):
    """docs/deploy.md said plain `scripts/setup.sh` installs the distributed extra; it installs no extras, so
    `index --ray` after it failed for want of Ray. `--ray` asks for it; `--help` names it."""
    deploy = (ROOT / "docs/deploy.md").read_text(encoding="utf-8")
    assert "scripts/setup.sh --ray" in deploy and "(installs the extra too)" not in deploy
    done = subprocess.run(["bash", str(ROOT / "scripts/setup.sh"), "--ray", "--help"], capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "--ray" in done.stdout


def test_without_ray_index_ray_names_the_setup_flag_that_installs_it(monkeypatch):
    """The error a user of a scripts/setup.sh checkout meets: it named only pip's extra, not the script's flag."""
    from momentsearch.errors import MomentSearchError
    from momentsearch.pipeline import ray as ray_pipeline

    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError, as where it is not installed
    with pytest.raises(MomentSearchError, match=r"scripts/setup\.sh --ray"):
        ray_pipeline._import_ray()


def test_no_table_row_of_the_docs_is_broken_over_two_lines():
    """A row continued on the next line (README's `GET /api/search` row was) renders as two rows, the second
    a stray cell under `route`."""
    broken = []
    for name in DOCS:
        in_table = False
        for number, line in enumerate((ROOT / name).read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("|"):
                in_table = True
            elif in_table and line.strip():
                broken.append(f"{name}:{number}: {line[:60]}")
            else:
                in_table = False
    assert not broken, broken


def test_the_route_tables_search_answer_names_every_field_the_api_sends():
    from momentsearch.server.schemas import SearchOut

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `GET /api/search?"))
    named = set(re.search(r"`\{([^}]*)\}`", row).group(1).replace(" ", "").split(","))
    named |= set(re.findall(r"`(\w+)`: `null`", row)) | set(re.findall(r"`(\w+)`, `(\w+)`: `null`", row)[0])
    assert named == set(SearchOut.model_fields), (named, set(SearchOut.model_fields))


def test_the_help_of_each_flag_names_the_environment_variable_docs_deploy_pairs_with_it():
    """docs/deploy.md's auth table pairs `--chroma-ca-cert` with `MOMENTSEARCH_CHROMA_CA_CERT` and so on (and says
    `$MOMENTSEARCH_CHROMA_URL` stands in for `--chroma-url`); `--help` named only the token's variable, so a user
    reading it could not learn that the others were set in the environment, nor why `--db` had gone unused."""
    parser = build_parser()
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {o: action.help or "" for action in subs.choices["info"]._actions for o in action.option_strings}
    pairs = [("--chroma-url", "MOMENTSEARCH_CHROMA_URL")]
    for line in (ROOT / "docs/deploy.md").read_text(encoding="utf-8").splitlines():
        cells = line.split("|")
        if line.startswith("| ") and len(cells) == 5:
            flags, names = re.findall(r"`(--[\w-]+)", cells[2]), re.findall(r"`(MOMENTSEARCH_\w+)", cells[3])
            pairs += [(flag, names[0]) for flag in flags[:1] if names]
    assert len(pairs) >= 5, pairs
    missing = [f"{flag}: {name}" for flag, name in pairs if f"${name}" not in helps[flag]]
    assert not missing, missing


def _code_spans(name: str):
    """(where, text) of each line of a bash block and each `inline code` span of a doc."""
    fence = None
    for number, line in enumerate((ROOT / name).read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            fence = None if fence is not None else line[3:].strip()
            continue
        for span in [line] if fence in ("bash", "sh") else [] if fence is not None else re.findall(r"`([^`]+)`", line):
            yield f"{name}:{number}", span


# a command where a shell line starts one (after VAR=value settings, `&&`, a pipe, `;`), not in a quoted message
COMMAND = re.compile(r"(?:^|[;&|(]\s*)(?:\w+=\S*\s+)*(?:[\w.~/-]*/)?momentsearch ([a-z][\w-]*)")


def test_every_momentsearch_command_the_docs_show_is_a_command():
    """The flag check above passes over a `momentsearch NAME` that is no command (prose says "momentsearch
    does..."), so a renamed or dropped subcommand in a code line went unnoticed; in code it must be one."""
    commands = _commands()
    wrong = [f"{where}: {m.group(0)}" for name in DOCS for where, span in _code_spans(name)
             for m in re.finditer(COMMAND, span) if m.group(1) not in commands]
    assert not wrong, wrong


def test_every_environment_variable_the_docs_name_is_read_by_the_code():
    source = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "momentsearch").rglob("*.py"))
    named = {v for name in DOCS for v in re.findall(r"\bMOMENTSEARCH_[A-Z_]+[A-Z]", (ROOT / name).read_text("utf-8"))}
    assert named and not {v for v in named if v not in source}, named


def test_every_options_block_the_docs_show_is_a_valid_options_file(tmp_path):
    """docs/deploy.md's `[distributed]` sizing block is pasted into a --config file as it stands: a key renamed
    in options.py since would stop `index` with "unknown option"."""
    from momentsearch.options import load_config

    blocks = [block for name in DOCS
              for block in re.findall(r"```toml\n(.*?)```", (ROOT / name).read_text(encoding="utf-8"), re.S)]
    assert blocks
    for number, block in enumerate(blocks):
        (tmp_path / f"{number}.toml").write_text(block, encoding="utf-8")
        load_config(tmp_path / f"{number}.toml").validate()


def test_ray_workers_help_names_the_option_docs_deploy_sets_it_with():
    """docs/deploy.md sizes a batch "in the [distributed] table of a --config file (or --ray-workers N)"; the
    flag's help gave cluster CPUs // cpus_per_worker as its default, though `workers` in that table sets it."""
    subs = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    flag = next(a for a in subs.choices["index"]._actions if "--ray-workers" in a.option_strings)
    deploy = (ROOT / "docs/deploy.md").read_text(encoding="utf-8")
    assert "--ray-workers N" in deploy and "\nworkers = 0" in deploy
    assert "distributed.workers" in flag.help
