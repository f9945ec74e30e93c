#!/usr/bin/env python3
"""torchvision's resnet18 state_dict keys and shapes, for Tests/ModelsTests.

Run: /tmp/torchenv/bin/python Tools/make_resnet_reference.py Tests/ModelsTests/Reference/resnet18_keys.json
(produced with torch 2.15.0, torchvision 0.29.2).
"""
import json
import sys

import torchvision

m = torchvision.models.resnet18(weights=None, num_classes=31)
keys = [{"name": k, "shape": list(v.shape), "dtype": str(v.dtype)} for k, v in m.state_dict().items()]
with open(sys.argv[1], "w") as f:
    json.dump(keys, f, indent=0)
print(len(keys), "keys")
