"""A ResNet-18 checkpoint made by PyTorch, and the logits it gives, for the Models tests;
and the reverse check: a checkpoint written by this project loads in PyTorch.

Make the fixtures:
    /root/torchenv/bin/python Tools/make_checkpoint_reference.py
    (torch 2.15.0, torchvision 0.29.2, safetensors 0.6; CPU)
  writes Tests/ModelsTests/Reference/resnet18_torch.safetensors.gz (torchvision resnet18,
  31 classes; convolution weights sparse ternary so the gzip stays ~0.5 MB, batch-norm
  parameters and running statistics random, num_batches_tracked 123) and
  Tests/ModelsTests/Reference/resnet18_torch_io.safetensors (input 2x3x64x64 and eval-mode logits).

Check a checkpoint written by Swift (FASHION_EXPORT_CHECKPOINT=DIR swift test --filter checkpointRoundTrip):
    /root/torchenv/bin/python Tools/make_checkpoint_reference.py --check DIR
  loads DIR/resnet18_swift.safetensors with safetensors.torch.load_file + load_state_dict
  (strict) and compares PyTorch's logits on DIR/resnet18_swift_io.safetensors's input with
  the logits Swift computed.
"""
import gzip, os, sys
import torch, torchvision
from safetensors import safe_open
from safetensors.torch import load_file, save_file

if len(sys.argv) == 3 and sys.argv[1] == "--check":
    d = sys.argv[2]
    state = load_file(os.path.join(d, "resnet18_swift.safetensors"))
    io = load_file(os.path.join(d, "resnet18_swift_io.safetensors"))
    model = torchvision.models.resnet18(num_classes=state["fc.weight"].shape[0])
    with safe_open(os.path.join(d, "resnet18_swift.safetensors"), "pt") as f:
        stem = (f.metadata() or {}).get("stem", "imagenet" if state["conv1.weight"].shape[-1] == 7 else "small")
    if stem in ("small", "compact"):   # this project's small-image stems: 3x3 stride-1 conv1
        model.conv1 = torch.nn.Conv2d(state["conv1.weight"].shape[1], 64, 3, 1, 1, bias=False)
        if stem == "small":
            model.maxpool = torch.nn.Identity()   # "compact" keeps torchvision's 3x3/2 max-pool
    model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        logits = model(io["input"])
    diff = (logits - io["logits"]).abs().max().item()
    print(f"strict load_state_dict: ok ({len(state)} keys); max |logits - Swift's| = {diff:.3e}")
    sys.exit(0 if diff < 1e-4 else 1)

torch.manual_seed(0)
model = torchvision.models.resnet18(num_classes=31)
state = model.state_dict()
with torch.no_grad():
    for name, v in state.items():
        if name.endswith("num_batches_tracked"):
            v.fill_(123)
        elif v.dim() == 4:
            a = float(v.std()) * 4
            r = torch.rand_like(v)
            v.copy_(torch.where(r < 0.01, torch.full_like(v, a), torch.where(r > 0.99, torch.full_like(v, -a), torch.zeros_like(v))))
        elif "bn" in name or "downsample.1" in name:
            if name.endswith("weight"): v.uniform_(0.5, 1.5)
            elif name.endswith("bias"): v.normal_(0, 0.1)
            elif name.endswith("running_mean"): v.normal_(0, 0.1)
            elif name.endswith("running_var"): v.uniform_(0.5, 1.5)
model.load_state_dict(state)
model.eval()
x = torch.rand(2, 3, 64, 64)
with torch.no_grad():
    logits = model(x)
root = os.path.join(os.path.dirname(__file__), "..", "Tests", "ModelsTests", "Reference")
tmp = os.path.join(root, "resnet18_torch.safetensors")
save_file(model.state_dict(), tmp)
with open(tmp, "rb") as f, gzip.open(tmp + ".gz", "wb", compresslevel=9) as g:
    g.write(f.read())
os.remove(tmp)
save_file({"input": x, "logits": logits}, os.path.join(root, "resnet18_torch_io.safetensors"))
print("logits[0, :5]", logits[0, :5].tolist())
