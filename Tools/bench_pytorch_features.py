#!/usr/bin/env python3
"""Times PyTorch's CPU ResNet-18 feature extraction the way `fashion bench features` times ours.

Run: /root/skenv/bin/python Tools/bench_pytorch_features.py [--batch 32] [--size 224] [--batches 8] [--threads 2]
torchvision resnet18(num_classes=31) with fc = Identity, eval mode, torch.inference_mode(),
random N×3×size×size input, one warm-up batch, then the mean rate over --batches batches.
--bf16 runs it under torch.autocast('cpu', dtype=torch.bfloat16) (what `fashion bench features
--precision bf16` is compared with), --channels-last with model and input in channels-last.
Prints one JSON object (images_per_second, peak RSS from /proc/self/status VmHWM).
"""
import argparse
import json
import time

import torch
import torchvision


def peak_rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


ap = argparse.ArgumentParser()
ap.add_argument("--batch", type=int, default=32)
ap.add_argument("--size", type=int, default=224)
ap.add_argument("--batches", type=int, default=8)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--bf16", action="store_true", help="autocast to bfloat16 (CPU)")
ap.add_argument("--channels-last", action="store_true")
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)
model = torchvision.models.resnet18(num_classes=31)
model.fc = torch.nn.Identity()
model.eval()
x = torch.randn(a.batch, 3, a.size, a.size)
if a.channels_last:
    model = model.to(memory_format=torch.channels_last)
    x = x.contiguous(memory_format=torch.channels_last)
with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
    model(x)
    start = time.perf_counter()
    for _ in range(a.batches):
        f = model(x)
    seconds = time.perf_counter() - start
assert f.shape == (a.batch, 512)
print(json.dumps({"batch": a.batch, "size": a.size, "images_per_second": a.batch * a.batches / seconds,
                  "peak_rss_bytes": peak_rss(), "threads": torch.get_num_threads(), "torch": torch.__version__,
                  "bf16": a.bf16, "channels_last": a.channels_last}))
