"""Batch indexing spread over a Ray cluster: `momentsearch index --ray [ADDRESS]`.

Ray schedules; momentsearch only says what one unit of work is: a whole file. Each worker actor
loads the models once (FileProcessor, pipeline/process.py) and turns files into FileEntries; the
driver writes them to the store through the same write path as a local run (Indexer.write_entries:
per-file record incomplete -> entries -> complete), so the index is the same as one built without
Ray, and a re-run skips what is complete and redoes the rest. A worker that sees the driver's kept-work
folder (`DB/momentsearch-partial`: the driver's machine, or a shared mount) keeps a file's finished windows
and pictures there as a local run does, so a killed run's file resumes on any worker; the workers report
finished windows through a queue, so the media bar moves within files.

The store is whatever the driver opened: a Chroma server (`--chroma-url`) that the whole team
shares, or the driver's own folder. Workers never talk to the store; they need the files at the
same paths as the driver (a shared mount) and momentsearch installed (`pip install
'momentsearch[distributed]'`). Ray is an optional extra: importing this module does not import it.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass

from momentsearch.errors import BadInputError, MomentSearchError
from momentsearch.options import Config, DistributedOptions
from momentsearch.pipeline.captions import indexed_id
from momentsearch.pipeline.decode import probe_again_if_changed
from momentsearch.pipeline.discover import content_hash
from momentsearch.pipeline.failures import failed_status
from momentsearch.pipeline.indexer import Indexer, failure_reason
from momentsearch.pipeline.process import FileEntries, FileProcessor
from momentsearch.pipeline.ray_copies import file_size, near_indexed, one_per_recording
from momentsearch.pipeline.ray_links import _check_reachable, _progress_queue
from momentsearch.types import STILL_ARRIVING, FileResult, IndexReport, MediaInfo, ProgressEvent, RayRunInfo

# Keep Ray local and quiet unless the user says otherwise: no usage report, no dashboard.
RAY_QUIET_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_DISABLE_IMPORT_WARNING": "1"}
IN_FLIGHT_PER_WORKER = 2  # a worker starts its next file while the driver writes the last one
POLL_SECONDS = 1.0  # how often the driver looks for the workers' progress within their files


@dataclass
class WorkResult:
    """What a worker sends back for one file: its entries, or why it failed."""

    path: str
    size: int = 0  # the file's stat when the worker hashed it (the driver records these)
    mtime: float = 0.0
    entries: FileEntries | None = None
    reason: str = ""  # set when entries is None
    worker: str = ""  # "host:pid" of the actor
    resumed: str = ""  # what a killed run's kept work gave it (PartialState.resumed_note)


def _import_ray():
    for key, value in RAY_QUIET_ENV.items():
        os.environ.setdefault(key, value)
    try:
        import ray
    except ImportError as exc:
        raise MomentSearchError("--ray needs Ray: scripts/setup.sh --ray (or pip install ray)") from exc
    return ray


class FileWorker:
    """One Ray actor: loads the models once, then processes whole files. Plain class; Ray wraps it."""

    def __init__(self, config: Config, with_clip: bool, with_ocr: bool, threads: int) -> None:
        os.environ["MOMENTSEARCH_THREADS"] = str(max(1, threads))  # the CPUs Ray reserved for this actor
        from momentsearch.models.build import Models  # (which keeps the hub offline unless downloads are allowed)

        models = Models(config)
        text, asr = models.text_embedder, models.asr
        clip = models.clip if with_clip else None
        for model in (text, asr, clip):  # load now: a worker that cannot load fails at start, not mid-file
            if model is not None:
                model.load()
        # the channels the driver settled on, so every file gets the same ones
        if with_ocr:
            from momentsearch.pipeline.ocr import make_ocr

            ocr = make_ocr(config).load()
            self.processor = FileProcessor(config, text, asr, clip, ocr=ocr)
        else:
            config = dataclasses.replace(config, models=dataclasses.replace(config.models, ocr=False))
            self.processor = FileProcessor(config, text, asr, clip)
        self.name = f"{socket.gethostname()}:{os.getpid()}"

    def process(self, path: str, info: MediaInfo, keep: tuple[str, str] | None = None,
                progress=None) -> WorkResult:
        """One file's entries. `keep`: (folder, fingerprint) of the driver's kept work (pipeline/partial.py):
        used where this worker sees that folder (the driver's machine, or a shared mount), so a killed run's
        finished windows and pictures are taken over and this run's are kept as they finish. `progress`: a
        queue that gets (path, seconds) as the file's audio windows finish."""
        partial = None
        try:
            st = os.stat(path)
            t0 = time.perf_counter()
            video_id = indexed_id(path, content_hash(path), self.processor.config.captions.mode)
            hashed = time.perf_counter() - t0
            if keep is not None and os.path.isdir(keep[0]):
                from momentsearch.pipeline.partial import PartialState

                partial = PartialState(keep[0], video_id, keep[1])
            resumed = partial.resumed_note() if partial is not None else ""
            entries = self.processor.process_video(path, info, video_id, partial, _reporter(progress, path))
            entries.times.add("hash", hashed)
            return WorkResult(path, st.st_size, st.st_mtime, entries, worker=self.name, resumed=resumed)
        except Exception as exc:  # as Indexer.index_file: one odd file must not stop the batch
            if partial is not None:  # a file that fails starts afresh next time, as without Ray
                partial.discard()
            return WorkResult(path, reason=failure_reason(exc, worker=self.name), worker=self.name)


def _reporter(progress, path: str):
    """on_media for a worker: (path, seconds) into the driver's queue; None without one. Progress is a nicety:
    a queue that cannot be reached (its actor gone) never fails the file."""
    if progress is None:
        return None

    def on_media(seconds: float) -> None:
        try:
            progress.put_nowait((path, seconds))
        except Exception:  # the queue's actor died or is full: the bar waits for the file's end
            pass

    return on_media


def _seconds(info) -> float:
    """A file's probed duration: what its "done" event says, whatever became of it (ProgressEvent), so the
    media bar reaches its total and its rate (the ETA) counts the files settled without a worker."""
    return info.duration if isinstance(info, MediaInfo) else 0.0


def _short(exc: BaseException) -> str:
    """The last line of a Ray error (they carry whole remote tracebacks)."""
    lines = [x.strip() for x in str(exc).strip().splitlines() if x.strip()]
    return lines[-1][:300] if lines else type(exc).__name__


class RayIndexer:
    """Indexes a batch as `Indexer.index` does, with the video files processed by Ray worker actors.

    It drives the Indexer's batch surface: `plan`, `needs_indexing`, `index_file` (files handled
    in-process: unchanged ones, photos, files that fail to probe, and files whose bytes the index holds:
    touched since, or copies; hashed here only when an indexed file has their size) and `write_entries`
    (what workers send back, written on the driver). `address`: None or "local" starts a Ray instance on this
    machine (or joins $RAY_ADDRESS); "auto" joins the cluster started here with `ray start`;
    "HOST:6379" a cluster's head; "ray://HOST:10001" a cluster through Ray Client.
    """

    def __init__(self, indexer: Indexer, address: str | None = None) -> None:
        self.indexer = indexer
        self.address = address
        self.options: DistributedOptions = indexer.config.distributed
        self.run_info = RayRunInfo()
        self._remote_results: dict[str, FileResult] = {}

    def index(self, paths: list[str], reindex: bool = False) -> IndexReport:
        t_start = time.perf_counter()
        batch = self.indexer.plan(paths)
        results = dict(batch.settled)
        remote: list[str] = []
        records = [] if reindex else self.indexer.store.files()
        sizes = {rec.size for rec in records if rec.complete}
        for i, path in enumerate(batch.todo):
            info = batch.infos.get(path)
            done = None
            if isinstance(info, MediaInfo) and self.indexer.needs_indexing(path, reindex):
                # bytes the index holds (a touched file, a copy) or maybe another encoding of an indexed recording:
                # settled here, as without Ray
                here = file_size(path) in sizes or near_indexed(self.indexer, records, path, info, reindex)
                done = self.indexer.index_file(path, info, reindex, process=False) if here else None
                if done is None:
                    remote.append(path)
                    continue
            # unchanged, photos, unreadable files: the local path says why, the same way as without Ray
            self._progress("file", path, i, len(batch.todo))
            results[path] = done or self.indexer.index_file(path, info, reindex)
            self._progress("done", path, i, len(batch.todo), _seconds(info), results[path].status)
        if remote:
            remote, copies = one_per_recording(self.indexer, remote, batch.infos, reindex)
            order = {p: i for i, p in enumerate(batch.todo)}
            self._run(remote, batch.infos, order, len(batch.todo))
            results.update(self._remote_results)
            for path in copies:  # copies of a file the workers just indexed share its entries, as without Ray
                self._progress("file", path, order[path], len(batch.todo))
                results[path] = (self.indexer.index_file(path, batch.infos[path], reindex, process=False)
                                 or self.indexer.index_file(path, batch.infos[path], reindex))
                self._progress("done", path, order[path], len(batch.todo), _seconds(batch.infos[path]),
                               results[path].status)
        report = self.indexer.report
        report.files.extend(results[p] for p in sorted(results))  # in discovery order, as without Ray
        self.indexer.finish(paths, batch.todo)  # the batch's notes (files deleted since, made by another version)
        self.run_info.wall_seconds = time.perf_counter() - t_start
        report.ray = self.run_info
        return report

    def _progress(self, kind: str, path: str, index: int, total: int, media_seconds: float = 0.0,
                  status: str = "") -> None:
        event = ProgressEvent(kind, path=path, index=index, total_files=total, media_seconds=media_seconds,
                              status=status)
        if kind == "file":  # the stages of a file done here name it (Indexer.at)
            self.indexer.at = event
        self.indexer.progress(event)

    # -- the Ray part --------------------------------------------------------------------------
    def _connect(self, ray) -> bool:
        """Starts or joins Ray; True when this call did (and so must shut it down)."""
        if ray.is_initialized():
            return False
        address = self.address if self.address not in (None, "", "local") else os.environ.get("RAY_ADDRESS")
        kwargs = {"log_to_driver": False, "logging_level": logging.ERROR}
        if not address:
            from momentsearch.models.device import available_cpus

            kwargs.update(include_dashboard=False, num_cpus=available_cpus())
        if address:
            _check_reachable(address)  # Ray itself retries an address where nothing answers for minutes
        before = signal.getsignal(signal.SIGTERM)  # ray.init takes SIGTERM over (its handler, and its core's
        try:                                       # stack dump and abort): the caller's is put back after it
            ray.init(address=address or None, **kwargs)
        except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError...
            raise MomentSearchError(f"cannot start or join Ray at {address or 'a new local instance'}: "
                                    f"{_short(exc)}") from exc
        finally:
            if before is not None and threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGTERM, before)
        return True

    def _worker_count(self, ray, files: int) -> int:
        opts = self.options
        if opts.workers:
            return min(opts.workers, files)
        cpus = ray.cluster_resources().get("CPU", 1.0)
        by_cpu = int(cpus // opts.cpus_per_worker)
        if opts.gpus_per_worker > 0:
            by_cpu = min(by_cpu, int(ray.cluster_resources().get("GPU", 0.0) // opts.gpus_per_worker))
        if by_cpu < 1:
            raise MomentSearchError(
                f"the Ray cluster has {cpus:g} CPUs and {ray.cluster_resources().get('GPU', 0):g} GPUs, not enough "
                f"for one worker ({opts.cpus_per_worker:g} CPUs, {opts.gpus_per_worker:g} GPUs); "
                "lower distributed.cpus_per_worker / gpus_per_worker")
        return max(1, min(by_cpu, files))

    def _run(self, remote: list[str], infos: dict, order: dict[str, int], total: int) -> None:
        ray = _import_ray()
        started_here = self._connect(ray)
        actors, progress = [], None
        try:
            opts = self.options
            count = self._worker_count(ray, len(remote))
            actor_class = ray.remote(FileWorker).options(
                num_cpus=opts.cpus_per_worker, num_gpus=opts.gpus_per_worker,
                max_restarts=opts.max_retries, max_task_retries=opts.max_retries)
            threads = max(1, int(opts.cpus_per_worker))
            with_clip, with_ocr = self.indexer.clip is not None, self.indexer.ocr is not None
            actors = [actor_class.remote(self.indexer.config, with_clip, with_ocr, threads) for _ in range(count)]
            self.run_info.address = self.address or "local"
            self.run_info.workers = count
            self.run_info.nodes = len([n for n in ray.nodes() if n.get("Alive")])
            progress = _progress_queue(ray)
            self._schedule(ray, actors, deque(remote), infos, order, total, self._keep(), progress)
        finally:
            for actor in actors + ([progress.actor] if progress is not None else []):  # the queue is an actor too
                try:
                    ray.kill(actor)
                except Exception:  # already dead; nothing to clean up
                    pass
            if started_here:
                ray.shutdown()

    def _keep(self) -> tuple[str, str] | None:
        """(folder, fingerprint) of the kept work, for the workers; None with a store that has no folder here."""
        folder = self.indexer.partial_dir
        if folder is None:
            return None
        folder.mkdir(parents=True, exist_ok=True)  # a worker keeps work only where it sees this folder
        return str(folder), self.indexer.kept_work_fingerprint()

    def _schedule(self, ray, actors: list, queue: deque, infos: dict, order: dict[str, int], total: int,
                  keep: tuple[str, str] | None = None, progress=None) -> None:
        in_flight: dict = {}  # ObjectRef -> (actor, path)
        alive = list(actors)

        def submit(actor) -> None:
            while queue:
                path = queue.popleft()
                self._progress("file", path, order[path], total)
                # probed again where it changed since the batch's start, as a local run does: a copy that finished
                # meanwhile went to its worker with the length of its first part
                info = probe_again_if_changed(path, infos[path], self.indexer.probed.get(path))
                if not isinstance(info, BadInputError):
                    infos[path] = info
                    in_flight[actor.process.remote(path, info, keep, progress)] = (actor, path)
                    return
                status = failed_status(info)  # skipped where it is still being written
                self._remote_results[path] = FileResult(path, status, failure_reason(info))
                self._progress("done", path, order[path], total, _seconds(infos[path]), status)

        for _ in range(IN_FLIGHT_PER_WORKER):
            for actor in alive:
                if queue:
                    submit(actor)
        while in_flight:
            ready, _ = ray.wait(list(in_flight), num_returns=1, timeout=POLL_SECONDS if progress is not None else None)
            self._within_files(progress, {p for _, p in in_flight.values()}, infos, order, total)
            if not ready:
                continue
            actor, path = in_flight.pop(ready[0])
            try:
                work: WorkResult = ray.get(ready[0])
            except ray.exceptions.RayActorError as exc:  # the worker died (after its restarts) or never started
                if actor in alive:
                    alive.remove(actor)
                work = WorkResult(path, reason=f"Ray worker failed: {_short(exc)}")
            except ray.exceptions.RayError as exc:  # an unexpected error inside the worker's code
                work = WorkResult(path, reason=f"error on Ray worker: {_short(exc)}")
            result = self._commit(work, infos[path])
            self._remote_results[path] = result
            self._progress("done", path, order[path], total, _seconds(infos[path]), result.status)
            if queue and actor in alive:
                submit(actor)
            if queue and not alive:
                for left in list(queue):
                    self._remote_results[left] = FileResult(left, "failed", "no Ray worker left running")
                    self._progress("done", left, order[left], total, _seconds(infos[left]), "failed")
                queue.clear()

    def _within_files(self, progress, running: set[str], infos: dict, order: dict[str, int], total: int) -> None:
        """The "media" events the workers queued since the last look (files still running only)."""
        try:
            count = progress.qsize() if progress is not None else 0
            items = progress.get_nowait_batch(count) if count else []
        except Exception:  # the queue's actor is gone: the bars move as files end, as before
            return
        for path, seconds in items:
            if path in running:
                self.indexer.progress(ProgressEvent("media", path=path, index=order[path], total_files=total,
                                                    media_seconds=seconds, file_seconds=_seconds(infos[path])))

    def _commit(self, work: WorkResult, info: MediaInfo) -> FileResult:
        if work.entries is None:
            skipped = work.reason.startswith(STILL_ARRIVING)  # a StillWritingError: still being written
            return FileResult(work.path, "skipped" if skipped else "failed", work.reason)
        result = self.indexer.write_entries(work.entries, work.size, work.mtime, mime=info.mime, resumed=work.resumed)
        self.run_info.media_seconds += info.duration
        self.run_info.per_worker[work.worker] = self.run_info.per_worker.get(work.worker, 0) + 1
        return result
