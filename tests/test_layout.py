"""The package's shape, checked from its source: the shipped default options equal the dataclass
defaults, modules and functions stay small, and imports point down the data flow, never back up."""

from __future__ import annotations

import ast
import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

from momentsearch.options import DEFAULT_CONFIG, Config, load_config

PACKAGE = Path(__file__).resolve().parent.parent / "momentsearch"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

# A module in a room on the left never imports one from the rooms on the right (front doors and
# the search engine sit above the pipeline, models, ranking and store).
NEVER_IMPORTS = {
    "pipeline": {"cli", "server", "api", "evaluate", "search", "testing"},
    "ranking": {"cli", "server", "api", "evaluate", "search", "pipeline", "store", "models", "testing"},
    "models": {"cli", "server", "api", "evaluate", "search", "pipeline", "store", "testing"},
    "store": {"cli", "server", "api", "evaluate", "search", "pipeline", "models", "ranking", "testing"},
    "search": {"cli", "server", "api", "evaluate", "pipeline", "testing"},
    "api": {"cli", "server", "evaluate", "testing"},
    "evaluate": {"cli", "server", "search", "pipeline", "store", "testing"},
    "server": {"cli", "search", "pipeline", "models", "ranking", "testing"},
    "cli": {"server.routes", "search", "pipeline", "ranking", "testing"},
    # the shared vocabulary imports nothing of the package but itself
    "errors": {"*"}, "types": {"*"}, "options": {"*"}, "option_checks": {"*"}, "media": {"*"},
    "image_repair": {"*"},
}
SHARED = {"errors", "types", "options", "option_checks", "media", "image_repair"}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)


def _imports(tree: ast.AST) -> set[str]:
    """Every momentsearch module a source file imports (at any depth: lazy imports count)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return {name for name in found if name.startswith("momentsearch.")}


def _room(module: str) -> str:
    """momentsearch.pipeline.indexer -> "pipeline"; momentsearch.api -> "api"."""
    return module.split(".")[1]


def test_the_shipped_toml_equals_the_dataclass_defaults():
    assert load_config() == Config()
    values = tomllib.loads(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    missing = []
    for stage in dataclasses.fields(Config):  # every option is in the file, so the file documents it
        table = values.get(stage.name, {})
        defaults = getattr(Config(), stage.name)
        missing += [f"{stage.name}.{f.name}" for f in dataclasses.fields(defaults)
                    if f.name not in table and getattr(defaults, f.name) is not None]  # TOML has no None
    assert not missing, f"options missing from {DEFAULT_CONFIG}: {missing}"


def test_the_shipped_configs_load_and_change_only_what_they_say():
    # the shipped ones are those configs/README.md links: an admin's own file there (its README says
    # `cp momentsearch/data/default.toml configs/mine.toml`) had failed this test while it equalled the defaults
    folder = PACKAGE.parent / "configs"
    configs = sorted(folder / name for name in set(re.findall(r"\]\(([\w.-]+\.toml)\)",
                                                             (folder / "README.md").read_text(encoding="utf-8"))))
    assert {p.name for p in configs} >= {"accurate.toml", "fast.toml", "mpnet.toml"}
    for path in configs:
        changed = {(stage, key) for stage, table in tomllib.loads(path.read_text(encoding="utf-8")).items()
                   for key in table}
        loaded, default = load_config(path), Config()
        differs = {(s.name, f.name) for s in dataclasses.fields(Config) for f in dataclasses.fields(getattr(default, s.name))
                   if getattr(getattr(loaded, s.name), f.name) != getattr(getattr(default, s.name), f.name)}
        assert differs and differs <= changed, (path.name, differs, changed)
    assert load_config(PACKAGE.parent / "configs" / "accurate.toml").asr.beam_size == 5
    assert load_config(PACKAGE.parent / "configs" / "fast.toml").asr.model == "tiny.en" != Config().asr.model


def test_there_is_one_default_options_file():
    repo = PACKAGE.parent
    # bench-out: old checkouts benchmarked; build/ and dist/: what `pip wheel .` or `python -m build` leave in
    # the checkout (build/lib/ holds a copy of the package), which had failed this test after building a wheel
    copies = [p for p in repo.rglob("default.toml")
              if not {".venv", "site-packages", "bench-out"} & set(p.parts)
              and p.relative_to(repo).parts[0] not in ("build", "dist")]
    assert copies == [DEFAULT_CONFIG]


@pytest.mark.parametrize("path,module", list(_modules()), ids=lambda x: str(x) if isinstance(x, str) else "")
def test_modules_and_functions_stay_small(path, module):
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_MODULE_LINES, f"{module} has {len(source.splitlines())} lines"
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, f"{module}: functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_imports_point_down_the_flow():
    wrong = []
    for path, module in _modules():
        room = _room(module)
        banned = NEVER_IMPORTS.get(room, set())
        for imported in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            target = imported[len("momentsearch."):]
            if "*" in banned and _room(imported) not in SHARED | {room}:
                wrong.append(f"{module} -> {imported}")
            elif any(target == b or target.startswith(b + ".") for b in banned):
                wrong.append(f"{module} -> {imported}")
    assert not wrong, "imports against the flow:\n" + "\n".join(sorted(wrong))


def test_the_pipeline_uses_only_ids_from_the_store():
    uses = {(module, imported) for path, module in _modules() if _room(module) == "pipeline"
            for imported in _imports(ast.parse(path.read_text(encoding="utf-8")))
            if _room(imported) == "store" and not imported.startswith("momentsearch.store.ids")}
    assert not uses


# a module's "_name" is its own; these imports of another module's private names are older than the rule below
# (a rename to a public name takes one off the list; a new one is not added: name it publicly instead)
PRIVATE_IMPORTS_BEFORE = {
    ("cli.info_output", "_missing_files"), ("cli.info_output", "_take_over"), ("models.asr_openai", "_as_audio"),
    ("pipeline.frame_reader", "_scaled_size"), ("pipeline.frame_reader", "_upright_rgb"),
    ("pipeline.process", "_sentence_text"), ("pipeline.ray", "_check_reachable"), ("pipeline.ray", "_progress_queue"),
    ("pipeline.sampling", "_open"), ("pipeline.sampling", "_scaled_size"), ("pipeline.sampling", "_upright_rgb"),
    ("server.moment_routes", "_chunks"), ("server.moment_routes", "_record"), ("server.playback", "_EXTRA_TYPES"),
    ("server.search_routes", "_in_search_slot"), ("server.search_routes", "_record"),
    ("server.search_routes", "_warnings"),
}


def test_modules_import_only_public_names_of_others():
    """reencoded.py took decode's `_iter_audio_chunks`, ray_copies.py reencoded's `_has_subtitles`: a name one
    module calls private, renamed or changed as its own, broke another it never named."""
    found = {(module[len("momentsearch."):], alias.name) for path, module in _modules()
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("momentsearch")
             for alias in node.names if alias.name.startswith("_") and not alias.name.startswith("__")}
    assert not found - PRIVATE_IMPORTS_BEFORE, sorted(found - PRIVATE_IMPORTS_BEFORE)


def test_no_import_cycles():
    graph = {}
    for path, module in _modules():
        names = _imports(ast.parse(path.read_text(encoding="utf-8")))
        known = {m for _, m in _modules()}
        graph[module] = {n if n in known else n.rsplit(".", 1)[0] for n in names} & known - {module}
    for pkg in [m for m in graph if m.endswith(".__init__")]:  # a package's __init__ is its own name
        graph[pkg[: -len(".__init__")]] = graph[pkg]
    state: dict[str, int] = {}

    def visit(node, trail):
        if state.get(node) == 1:
            raise AssertionError("import cycle: " + " -> ".join(trail[trail.index(node):] + [node]))
        if state.get(node) == 2:
            return
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, trail + [node])
        state[node] = 2

    for module in sorted(graph):
        visit(module, [])


def test_the_package_offers_every_error_a_caller_catches_and_the_index_to_completion():
    import momentsearch
    from momentsearch import errors

    raised = {name for name, value in vars(errors).items()
              if isinstance(value, type) and issubclass(value, errors.MomentSearchError) and name != "RangeError"}
    assert raised <= set(momentsearch.__all__), raised - set(momentsearch.__all__)
    assert all(hasattr(momentsearch, name) for name in momentsearch.__all__)
    assert "MomentIndex" in dir(momentsearch)  # (lazy: tab completion had missed it)
