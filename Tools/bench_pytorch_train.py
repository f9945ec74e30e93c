#!/usr/bin/env python3
"""Times PyTorch's CPU ResNet-18 training step the way `fashion bench kernels` times ours.

Run: /tmp/torchenv/bin/python Tools/bench_pytorch_train.py [--batch 16 32] [--steps 3]
     ... --fashion-mnist --batch 128 --steps 10: the Fashion-MNIST model instead (1×28×28,
     10 classes, this project's `compact` stem: 3×3 stride-1 conv1 keeping the max-pool).
     ... --bf16 [--channels-last]: the step under torch.autocast('cpu', dtype=torch.bfloat16)
     (what `fashion bench step --precision bf16` is compared with), model and input in
     channels-last memory format with --channels-last.
Each batch size: torchvision resnet18(num_classes=31), random 224×224 input, one warm-up
step, then the mean of --steps steps of forward, cross-entropy, backward, Adam.step.
Peak RSS is read from /proc/self/status (VmHWM) after resetting it for each batch size,
and the sgemm 1024³ rate in the same run for comparison. Prints one JSON object.
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F
import torchvision


def peak_rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, nargs="+", default=[16, 32])
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--fashion-mnist", action="store_true")
    ap.add_argument("--bf16", action="store_true", help="autocast to bfloat16 (CPU)")
    ap.add_argument("--channels-last", action="store_true")
    args = ap.parse_args()
    torch.manual_seed(0)
    a = torch.rand(1024, 1024)
    a @ a
    t = time.perf_counter()
    for _ in range(5):
        a @ a
    sgemm = 2 * 1024 ** 3 * 5 / (time.perf_counter() - t) / 1e9
    results = []
    for batch in args.batch:
        reset_peak()
        classes = 10 if args.fashion_mnist else 31
        model = torchvision.models.resnet18(weights=None, num_classes=classes)
        if args.fashion_mnist:
            model.conv1 = torch.nn.Conv2d(1, 64, 3, 1, 1, bias=False)
        model.train()
        opt = torch.optim.Adam(model.parameters())
        x = torch.rand(batch, 1, 28, 28) if args.fashion_mnist else torch.rand(batch, 3, args.size, args.size)
        y = torch.arange(batch) % classes
        if args.channels_last:
            model = model.to(memory_format=torch.channels_last)
            x = x.contiguous(memory_format=torch.channels_last)

        def step():
            opt.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
                loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()

        step()
        t = time.perf_counter()
        for _ in range(args.steps):
            step()
        seconds = (time.perf_counter() - t) / args.steps
        results.append({"batch": batch, "images_per_second": batch / seconds, "step_seconds": seconds,
                        "peak_rss_bytes": peak_rss()})
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "sgemm_gflops": sgemm,
                      "bf16": args.bf16, "channels_last": args.channels_last,
                      "train": results}))


if __name__ == "__main__":
    main()
