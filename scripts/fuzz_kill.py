"""Kill `index`, `index --reindex`, `remove` and `prune` at random moments, re-run them, and check that the
index is exactly what an uninterrupted run makes (ids, documents, metadatas, vectors, file records), with no
kept work, no held lock and a clean `info`.

    python scripts/fuzz_kill.py LECTURES_FOLDER WORK_FOLDER [--rounds 20] [--seed 1]

LECTURES_FOLDER holds a few short lectures and a photo (at least 3 files); WORK_FOLDER is scratch space. Runs
the CLI of this checkout, niced; each round is one killed run and one re-run (about a minute on 2 cores)."""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SIGNALS = [signal.SIGKILL] * 3 + [signal.SIGTERM, signal.SIGINT]


def cli(*args: str, db: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    cmd = ["nice", "-n", "10", sys.executable, "-m", "momentsearch.cli", *args, "--db", str(db)]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def killed_run(args: list[str], db: Path, delay: float, sig: int) -> tuple[int | None, str, float]:
    """Runs the command and sends `sig` after `delay` s. Returns its exit status, output and, if it ended
    before the signal, how long it ran (else 0)."""
    cmd = ["nice", "-n", "10", sys.executable, "-m", "momentsearch.cli", *args, "--db", str(db)]
    t0 = time.monotonic()
    # SIGINT as a terminal's Ctrl-C: a script started in the background (`cmd &`, nohup) ignores it, and so
    # would its children, which then run on as if nothing was sent
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        proc.wait(delay)
        return proc.returncode, proc.stdout.read(), time.monotonic() - t0  # finished before the kill
    except subprocess.TimeoutExpired:
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=120)
        return proc.returncode, out, 0.0


def contents(db: Path) -> dict:
    from momentsearch.store.client import make_client
    from momentsearch.store.store import COLLECTIONS, Store

    store = Store(make_client(str(db)))
    out = {}
    for name in COLLECTIONS:
        if store.collection(name, create=False) is None:
            continue
        got = store.collection(name).get(include=["documents", "metadatas", "embeddings"])
        order = np.argsort(got["ids"])
        ids = [got["ids"][i] for i in order]
        assert len(set(ids)) == len(ids), f"{name}: duplicate ids"
        out[name] = (ids, [got["metadatas"][i] for i in order], [got["documents"][i] for i in order],
                     np.asarray(got["embeddings"])[order] if len(ids) else None)
    store.close()
    return out


def diff(want: dict, got: dict) -> list[str]:
    problems = []
    if want.keys() != got.keys():
        problems.append(f"collections {sorted(want)} != {sorted(got)}")
    for name in want.keys() & got.keys():
        w, g = want[name], got[name]
        if w[0] != g[0]:
            problems.append(f"{name}: ids differ: missing {sorted(set(w[0]) - set(g[0]))[:3]}, "
                            f"extra {sorted(set(g[0]) - set(w[0]))[:3]}")
            continue
        for i, (a, b) in enumerate(zip(w[1], g[1])):
            if a != b:
                keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
                problems.append(f"{name}: {w[0][i]} metadata differs in {keys}")
                break
        if w[2] != g[2]:
            problems.append(f"{name}: documents differ")
        if w[3] is not None and not np.array_equal(w[3], g[3]):
            problems.append(f"{name}: vectors differ")
    return problems


def checks(db: Path, query: str) -> list[str]:
    problems = []
    partial = db / "momentsearch-partial"
    if partial.exists() and any(partial.iterdir()):
        problems.append(f"kept work left: {[str(p.relative_to(db)) for p in partial.rglob('*')][:5]}")
    lock = db / ".momentsearch.store.lock"
    if lock.exists():
        fd = os.open(lock, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            problems.append("the write lock is still held")
        finally:
            os.close(fd)
        if lock.read_text().strip():
            problems.append(f"the lock note is not empty: {lock.read_text().strip()!r}")
    odd = [p.name for p in db.rglob("*") if p.name.endswith((".part", ".tmp")) or p.name.startswith(".tmp")]
    if odd:
        problems.append(f"leftover temporary files: {odd[:5]}")
    info = cli("info", "--json", db=db)
    if info.returncode != 0:
        problems.append(f"info exit {info.returncode}: {info.stderr.strip()[-300:]}")
    else:
        data = json.loads(info.stdout)
        if data.get("notes") or data.get("writing"):
            problems.append(f"info notes: {data.get('notes')} writing: {data.get('writing')}")
        for f in data.get("files", data.get("videos", [])):
            if isinstance(f, dict) and (f.get("complete") is False or f.get("exists") is False):
                problems.append(f"info file not clean: {f}")
    found = cli("search", query, "--json", db=db)
    if found.returncode != 0:
        problems.append(f"search exit {found.returncode}: {found.stderr.strip()[-300:]}")
    elif "unfinished" in found.stderr or "not searched" in found.stderr:
        problems.append(f"search note: {found.stderr.strip()[-300:]}")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("lectures", type=Path)
    ap.add_argument("work", type=Path)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.2, help="kill within this share of the op's usual time")
    ap.add_argument("--ops", default="index,reindex,remove,prune")
    opts = ap.parse_args()
    rng = random.Random(opts.seed)
    lectures = opts.lectures.resolve()
    files = sorted(p for p in lectures.iterdir() if p.is_file())
    work = opts.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    full = work / "full"
    if not full.exists():
        assert cli("index", str(lectures), db=full).returncode == 0
    want_full = contents(full)
    want_without: dict[Path, dict] = {}

    def without(victim: Path) -> dict:
        if victim not in want_without:
            db = work / f"without-{victim.stem}"
            if not db.exists():
                shutil.copytree(full, db)
                assert cli("remove", str(victim), db=db).returncode == 0
            want_without[victim] = contents(db)
        return want_without[victim]

    usual = {"index": 45.0, "reindex": 15.0, "remove": 4.0, "prune": 4.0}  # seconds, updated by whole runs
    failures = 0
    for round_no in range(opts.rounds):
        op = rng.choice(opts.ops.split(","))
        victim = rng.choice(files)
        sig = rng.choice(SIGNALS)
        delay = rng.uniform(0.3, usual[op] * opts.scale)
        db = work / f"round{round_no}"
        shutil.rmtree(db, ignore_errors=True)
        moved = None
        if op == "index":
            args, want = ["index", str(lectures)], want_full
        else:
            shutil.copytree(full, db)
            if op == "reindex":
                args, want = ["index", "--reindex", str(victim)], want_full
            elif op == "remove":
                args, want = ["remove", str(victim)], without(victim)
            else:
                want = without(victim)
                moved = work / victim.name
                victim.rename(moved)
                args = ["prune"]
        try:
            code, out, took = killed_run(args, db, delay, sig)
            if took:  # it ended before the signal: kill the next of its kind within what a whole run takes
                usual[op] = took
            again = cli(*args, db=db)
            redo_ok = again.returncode == 0 or (op == "remove" and "names no indexed file" in again.stderr
                                                or op == "remove" and again.returncode == 2
                                                and "no indexed file" in again.stderr)
            problems = [] if redo_ok else [f"re-run exit {again.returncode}: {again.stderr.strip()[-400:]}"]
            problems += diff(want, contents(db))
            problems += checks(db, "three way handshake")
        finally:
            if moved is not None:
                moved.rename(victim)
        status = "ok" if not problems else "FAIL"
        failures += bool(problems)
        what = f"ended by itself after {took:.1f}s" if took else f"{signal.Signals(sig).name} after {delay:.1f}s"
        print(f"round {round_no}: {op} {victim.name}: {what} (exit {code}), re-run: {status}", flush=True)
        for p in problems:
            print("   ", p, flush=True)
        if problems:
            print("    first run said:", out.strip()[-600:].replace("\n", "\n      "), flush=True)
            print("    re-run said:", (again.stdout + again.stderr).strip()[-600:].replace("\n", "\n      "),
                  flush=True)
        else:
            shutil.rmtree(db, ignore_errors=True)
    print(f"{failures} of {opts.rounds} rounds diverged")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
