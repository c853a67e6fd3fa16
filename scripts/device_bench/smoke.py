"""Device smoke test: CTranslate2 (CUDA 12 build) running Whisper on a CUDA 13 machine via a libcublas.so.12 link."""
import sys, time, numpy as np, ctranslate2
dev = sys.argv[2] if len(sys.argv) > 2 else "cuda"
print("ct2", ctranslate2.__version__, "cuda devices", ctranslate2.get_cuda_device_count(), flush=True)
m = ctranslate2.models.Whisper(sys.argv[1], device=dev, compute_type="float16" if dev == "cuda" else "int8")
feats = ctranslate2.StorageView.from_array(np.random.rand(1, 80, 3000).astype(np.float32))
t = time.perf_counter()
r = m.generate(feats, [[50257, 50362]], max_length=20)
print("generate ok", len(r[0].sequences_ids[0]), "tokens", f"{time.perf_counter()-t:.2f}s", flush=True)
a = m.align(feats, [50257], [[100, 200, 300]], [3000 // 2])
print("align ok", len(a[0].alignments), flush=True)
