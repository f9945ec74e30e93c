#!/usr/bin/env python3
"""torchvision's padding modes on a small tensor image (Tests/VisionTests/Reference/padding.json).

    python Tools/make_padding_reference.py > Tests/VisionTests/Reference/padding.json

torchvision's compiled operators need a CUDA build of torch; `F.pad` is pure Python, so when
they fail to load their registration is skipped (nothing used here needs them).
"""
import json
import sys

import torch
import torch.library

try:
    import torchvision
except RuntimeError:  # a CPU build of torch: the detection operators do not register
    torch.library.register_fake = lambda *a, **k: (lambda f: f)
    import torchvision
import torchvision.transforms.functional as F

image = torch.arange(2 * 3 * 4, dtype=torch.float32).reshape(2, 3, 4) * 0.5 - 2
cases = []
for mode in ["constant", "edge", "reflect", "symmetric"]:
    for pads in [[1, 1, 1, 1], [2, 1, 3, 2], [0, 2, 1, 0], [3, 2, 3, 2]]:
        if mode == "reflect" and (max(pads[0], pads[2]) >= 4 or max(pads[1], pads[3]) >= 3):
            continue
        out = F.pad(image, pads, fill=0.25 if mode == "constant" else 0, padding_mode=mode)
        cases.append({"mode": mode, "padding": pads, "fill": 0.25 if mode == "constant" else 0,
                      "shape": list(out.shape), "output": out.flatten().tolist()})
json.dump({"torchvision": torchvision.__version__, "input": {"shape": list(image.shape), "values": image.flatten().tolist()},
           "cases": cases}, sys.stdout)
sys.stdout.write("\n")
