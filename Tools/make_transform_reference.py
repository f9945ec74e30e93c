"""torchvision (transforms.v2, tensor path) outputs for fixed parameters, for the Vision tests.

Run:  /root/torchenv/bin/python Tools/make_transform_reference.py
      (torch 2.15.0, torchvision 0.29.2 CPU; any torchvision >= 0.15 should agree)
Writes Tests/VisionTests/Reference/transforms.json: the input images and, per case, the
operation, its parameters and torchvision's output (flattened C×H×W float32).
"""
import json, os
import numpy as np
import torch
import torchvision
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as F
from torchvision.transforms import InterpolationMode

rng = np.random.default_rng(3)
rgb = torch.from_numpy(rng.random((3, 13, 17), dtype=np.float32))
grey = torch.from_numpy(rng.random((1, 9, 6), dtype=np.float32))
NEAREST, BILINEAR = InterpolationMode.NEAREST, InterpolationMode.BILINEAR

cases = []


def case(name, image, op, params, out):
    cases.append({"name": name, "input": image, "op": op, "params": params,
                  "shape": list(out.shape), "output": [float(v) for v in out.flatten()]})


for h, w in [(7, 9), (20, 25), (13, 8), (5, 40), (1, 1)]:
    case(f"resize {h}x{w}", "rgb", "resize", {"height": h, "width": w}, F.resize(rgb, [h, w], antialias=True))
case("resize shorter edge 10", "rgb", "resizeShorter", {"size": 10}, F.resize(rgb, 10, antialias=True))
case("resize grey shorter edge 4", "grey", "resizeShorter", {"size": 4}, F.resize(grey, 4, antialias=True))
case("center crop 7x9", "rgb", "centerCrop", {"height": 7, "width": 9}, F.center_crop(rgb, [7, 9]))
case("center crop 8x10", "rgb", "centerCrop", {"height": 8, "width": 10}, F.center_crop(rgb, [8, 10]))
case("center crop 16x20 (pads)", "rgb", "centerCrop", {"height": 16, "width": 20}, F.center_crop(rgb, [16, 20]))
case("crop outside", "rgb", "crop", {"top": -2, "left": 3, "height": 8, "width": 16}, F.crop(rgb, -2, 3, 8, 16))
case("pad white", "rgb", "pad", {"left": 1, "top": 2, "right": 3, "bottom": 4, "fill": 1.0},
     F.pad(rgb, [1, 2, 3, 4], fill=1.0))
case("hflip", "rgb", "hflip", {}, F.horizontal_flip(rgb))
for interp, fill in [(NEAREST, None), (BILINEAR, None), (BILINEAR, 1.0), (BILINEAR, 0.0), (NEAREST, 1.0)]:
    name = f"affine {interp.value} fill {fill}"
    out = F.affine(rgb, angle=25.0, translate=[2, -1], scale=0.9, shear=[10.0, 5.0], interpolation=interp, fill=fill)
    case(name, "rgb", "affine", {"angle": 25.0, "tx": 2, "ty": -1, "scale": 0.9, "shearX": 10.0, "shearY": 5.0,
                                 "interpolation": interp.value, "fill": fill}, out)
out = F.affine(rgb, angle=-40.0, translate=[0, 0], scale=1.2, shear=[-15.0, 0.0], interpolation=BILINEAR, fill=1.0)
case("affine shear only x", "rgb", "affine", {"angle": -40.0, "tx": 0, "ty": 0, "scale": 1.2, "shearX": -15.0, "shearY": 0.0,
                                               "interpolation": "bilinear", "fill": 1.0}, out)
for interp, fill in [(NEAREST, None), (BILINEAR, 1.0)]:
    case(f"rotate {interp.value}", "rgb", "rotate", {"angle": 30.0, "interpolation": interp.value, "fill": fill},
         F.rotate(rgb, 30.0, interpolation=interp, fill=fill))
for f in [1.3, 0.4]:
    case(f"brightness {f}", "rgb", "brightness", {"factor": f}, F.adjust_brightness(rgb, f))
for f in [0.6, 1.8]:
    case(f"contrast {f}", "rgb", "contrast", {"factor": f}, F.adjust_contrast(rgb, f))
case("contrast grey", "grey", "contrast", {"factor": 1.5}, F.adjust_contrast(grey, 1.5))
for f in [1.7, 0.3]:
    case(f"saturation {f}", "rgb", "saturation", {"factor": f}, F.adjust_saturation(rgb, f))
for f in [0.2, -0.45, 0.5]:
    case(f"hue {f}", "rgb", "hue", {"factor": f}, F.adjust_hue(rgb, f))
case("normalize", "rgb", "normalize", {"mean": [0.8752, 0.8656, 0.8636], "std": [0.2598, 0.2734, 0.2761]},
     F.normalize(rgb, [0.8752, 0.8656, 0.8636], [0.2598, 0.2734, 0.2761]))

# RandomResizedCrop's fallback window (no try can succeed with scale > 1).
windows = []
for ratio in [(0.5, 0.6), (2.0, 3.0), (0.75, 4 / 3)]:
    t = v2.RandomResizedCrop(5, scale=(2.0, 3.0), ratio=ratio)
    p = t.make_params([rgb])
    windows.append({"ratio": list(ratio), "top": p["top"], "left": p["left"], "height": p["height"], "width": p["width"]})

root = os.path.join(os.path.dirname(__file__), "..", "Tests", "VisionTests", "Reference")
json.dump({"torchvision": torchvision.__version__,
           "inputs": {"rgb": {"shape": list(rgb.shape), "values": [float(v) for v in rgb.flatten()]},
                      "grey": {"shape": list(grey.shape), "values": [float(v) for v in grey.flatten()]}},
           "cases": cases, "fallbackWindows": windows},
          open(os.path.join(root, "transforms.json"), "w"))
print(len(cases), "cases,", len(windows), "windows")
