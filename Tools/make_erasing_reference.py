#!/usr/bin/env python3
"""torchvision's RandomErasing draws, as statistics (Tests/VisionTests/Reference/erasing.json).

torchvision's stream is torch's generator, which ours does not reproduce, so the test compares
distributions: for each image size and setting, how often the ten attempts all miss, and the
mean, standard deviation and histogram of the rectangle's height, width, top and left over
many draws of `transforms.RandomErasing.get_params` (torchvision 0.28, unmodified).

    python Tools/make_erasing_reference.py > Tests/VisionTests/Reference/erasing.json

torchvision's compiled operators need a CUDA build of torch; the transforms are pure Python,
so when they fail to load the registration is skipped (nothing used here needs them).
"""
import json
import math
import sys

import torch
import torch.library

try:
    import torchvision
except RuntimeError:  # a CPU build of torch: the detection operators do not register
    torch.library.register_fake = lambda *a, **k: (lambda f: f)
    import torchvision
from torchvision.transforms import RandomErasing

DRAWS = 200_000
CASES = [
    {"name": "28x28 default", "height": 28, "width": 28, "scale": [0.02, 0.33], "ratio": [0.3, 3.3]},
    {"name": "32x24 default", "height": 32, "width": 24, "scale": [0.02, 0.33], "ratio": [0.3, 3.3]},
    {"name": "8x8 large", "height": 8, "width": 8, "scale": [0.2, 0.6], "ratio": [0.5, 2.0]},
    {"name": "6x6 often missing", "height": 6, "width": 6, "scale": [0.5, 0.9], "ratio": [1.0, 3.0]},
]


def summarise(values, size):
    n = len(values)
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    hist = [0] * (size + 1)
    for v in values:
        hist[v] += 1
    return {"mean": mean, "std": math.sqrt(var), "histogram": [h / n for h in hist]}


def main():
    torch.manual_seed(0)
    out = {"torchvision": torchvision.__version__, "torch": torch.__version__, "draws": DRAWS, "cases": []}
    for case in CASES:
        img = torch.zeros(1, case["height"], case["width"])
        rects, misses = [], 0
        for _ in range(DRAWS):
            i, j, h, w, v = RandomErasing.get_params(img, scale=tuple(case["scale"]), ratio=tuple(case["ratio"]), value=[0.0])
            if v is img:
                misses += 1
            else:
                rects.append((i, j, h, w))
        entry = dict(case)
        entry["missRate"] = misses / DRAWS
        entry["erased"] = len(rects)
        for k, name, size in [(0, "top", case["height"]), (1, "left", case["width"]),
                              (2, "rectHeight", case["height"]), (3, "rectWidth", case["width"])]:
            entry[name] = summarise([r[k] for r in rects], size)
        out["cases"].append(entry)
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
