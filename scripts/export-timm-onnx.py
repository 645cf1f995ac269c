#!/usr/bin/env python3
"""Export the benchmark's models with timm itself (torch.onnx), for `npm run bench -- onnx`.

The ONNX benchmark (bench/onnx-speed.mjs) runs vitc's ONNX graph of each model against the same
model exported by timm with torch.onnx, in one ONNX Runtime, in one process. This script makes
timm's side: bench/timm-onnx/<model>.onnx (git-ignored: ViT-B/16 alone is 330 MB), and
bench/timm-onnx/pytorch-eager.json with PyTorch's own eager timings of the same models on this
machine, for the "faster than PyTorch" comparison.

Environment (as for scripts/make-parity-cases.py): Debian's python3-torch 1.13 and timm 0.9.16
from its source, e.g.

    apt-get install -y python3-torch
    git clone --branch v0.9.16 --depth 1 <pytorch-image-models> /tmp/timm-src   # or any copy of v0.9.16
    PYTHONPATH=/tmp/timm-src /usr/bin/python3 scripts/export-timm-onnx.py

Time PyTorch on a quiet machine, with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for this
command (`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE …`). Debian's torch 1.13 is built with
BLAS_INFO=generic (see torch.__config__.show()), so its eager numbers say little about PyTorch
elsewhere (ViT-B/16 took 14 s per image here). `--no-eager` only exports; `--no-export` only times.

The weights are timm's random initialisation with a fixed seed (no pretrained download); speed
does not depend on the values. Under torch 1.13 timm computes attention explicitly
(softmax((q * scale) @ k^T) @ v), which is what torch.onnx exports.
"""
import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault('TIMM_FUSED_ATTN', '0')

import torch
import timm

MODELS = ['vit_tiny_patch16_224', 'vit_base_patch16_224', 'swin_tiny_patch4_window7_224', 'mobilevit_s']
BATCHES = [1, 8]
OPSET = 17


def export(name, out_dir):
    torch.manual_seed(0)
    model = timm.create_model(name, pretrained=False).eval()
    path = os.path.join(out_dir, f'{name}.onnx')
    x = torch.randn(1, 3, 224, 224) if name != 'mobilevit_s' else torch.randn(1, 3, 256, 256)
    with torch.no_grad():
        torch.onnx.export(
            model, x, path, opset_version=OPSET, do_constant_folding=True,
            input_names=['input'], output_names=['logits'],
            dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}},
        )
    return model, x.shape[1:]


def eager_times(model, dims, batch, runs):
    x = torch.randn(batch, *dims)
    with torch.no_grad():
        model(x)  # warm-up
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - start) * 1000)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--out', default=os.path.join(os.path.dirname(__file__), '..', 'bench', 'timm-onnx'))
    parser.add_argument('--runs', type=int, default=5, help='timed eager passes per model and batch')
    parser.add_argument('--models', default=','.join(MODELS))
    parser.add_argument('--no-export', action='store_true', help='only time PyTorch eager (the .onnx files exist)')
    parser.add_argument('--no-eager', action='store_true', help='only export')
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    eager_file = os.path.join(args.out, 'pytorch-eager.json')
    eager = {'torch': torch.__version__, 'timm': timm.__version__, 'threads': torch.get_num_threads(), 'runs_ms': {}}
    if os.path.exists(eager_file):
        eager['runs_ms'] = json.load(open(eager_file)).get('runs_ms', {})
    for name in args.models.split(','):
        if args.no_export:
            torch.manual_seed(0)
            model = timm.create_model(name, pretrained=False).eval()
            dims = (3, 256, 256) if name == 'mobilevit_s' else (3, 224, 224)
        else:
            model, dims = export(name, args.out)
            print(f'exported {name}', file=sys.stderr)
        if args.no_eager:
            continue
        for batch in BATCHES:
            times = eager_times(model, dims, batch, args.runs)
            eager['runs_ms'][f'{name}@{batch}'] = [round(t, 2) for t in times]
            print(f'  pytorch eager batch {batch}: median {statistics.median(times):.1f} ms', file=sys.stderr)
    if not args.no_eager:
        with open(eager_file, 'w') as f:
            json.dump(eager, f, indent=2)


if __name__ == '__main__':
    main()
