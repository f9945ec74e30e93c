#!/usr/bin/env python3
# Reference values for Tests/TensorTests/Reference/bf16.json: PyTorch's float32 → bfloat16
# conversion (round to nearest even) of hand-picked edge cases and seeded random values of
# every magnitude, as bit patterns.
# Run: python3 -m venv /root/skenv && /root/skenv/bin/pip install numpy torch
#      /root/skenv/bin/python Tools/make_bf16_reference.py > Tests/TensorTests/Reference/bf16.json
import json
import numpy as np
import torch

edge_bits = [0x00000000, 0x80000000, 0x3F800000, 0x3F808000, 0x3F818000, 0x3F807FFF, 0x3F808001, 0xBF808000,
             0x7F7FFFFF, 0x7F7F7FFF, 0xFF7FFFFF, 0x7F800000, 0xFF800000, 0x00000001, 0x00008000, 0x00018000,
             0x007FFFFF, 0x00800000, 0x477FE000, 0x477FF000, 0x33800000]
rng = np.random.default_rng(35)
random = (rng.normal(size=2000) * np.exp2(rng.integers(-40, 40, size=2000))).astype(np.float32)
values = np.concatenate([np.array(edge_bits, dtype=np.uint32).view(np.float32), random])
bits = torch.from_numpy(values.copy()).to(torch.bfloat16).view(torch.int16).numpy().astype(np.uint16)
print(json.dumps({"made_with": f"PyTorch {torch.__version__}, NumPy {np.__version__}",
                  "float_bits": values.view(np.uint32).tolist(), "bf16_bits": bits.tolist()}))
