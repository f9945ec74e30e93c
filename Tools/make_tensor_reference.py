#!/usr/bin/env python3
"""Reference values for Tests/TensorTests from PyTorch.

Run (outside the repository's dependencies; PyTorch is only a reference):
    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch
    /tmp/torchenv/bin/python Tools/make_tensor_reference.py Tests/TensorTests/Reference/pytorch.json
Produced with torch 2.15.0 on CPU, float32. Inputs are drawn here and saved with the
outputs, so the Swift tests need no random-number agreement with PyTorch.
"""
import json
import sys

import torch
import torch.nn.functional as F

torch.manual_seed(0)
torch.use_deterministic_algorithms(True)
cases = {}


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def entry(**tensors):
    return {k: ({"shape": list(v.shape), "data": flat(v)} if isinstance(v, torch.Tensor) else v)
            for k, v in tensors.items()}


# conv → batch norm (train) → relu → max pool → flatten → linear → cross-entropy
x = torch.randn(3, 2, 7, 6, requires_grad=True)
w = torch.randn(4, 2, 3, 3, requires_grad=True)
b = torch.randn(4, requires_grad=True)
gamma = (torch.rand(4) + 0.5).requires_grad_()
beta = torch.randn(4, requires_grad=True)
rm, rv = torch.randn(4) * 0.1, torch.rand(4) + 0.5
rm0, rv0 = rm.clone(), rv.clone()
y = F.conv2d(x, w, b, stride=2, padding=1)
z = F.batch_norm(y, rm, rv, gamma, beta, training=True, momentum=0.1, eps=1e-5)
r = F.max_pool2d(F.relu(z), 3, 2, 1)
h = r.flatten(1)
lw = torch.randn(5, h.shape[1], requires_grad=True)
lb = torch.randn(5, requires_grad=True)
logits = F.linear(h, lw, lb)
targets = torch.tensor([1, 4, 0])
loss = F.cross_entropy(logits, targets)
loss.backward()
cases["chain"] = entry(x=x, w=w, b=b, gamma=gamma, beta=beta, running_mean_in=rm0, running_var_in=rv0,
                       lw=lw, lb=lb, targets=targets.tolist(), conv=y, bn=z, logits=logits,
                       loss=float(loss), running_mean=rm, running_var=rv,
                       grad_x=x.grad, grad_w=w.grad, grad_b=b.grad, grad_gamma=gamma.grad,
                       grad_beta=beta.grad, grad_lw=lw.grad, grad_lb=lb.grad)

# batch norm in evaluation mode
x = torch.randn(2, 3, 4, 5, requires_grad=True)
gamma = torch.randn(3, requires_grad=True)
beta = torch.randn(3, requires_grad=True)
rm, rv = torch.randn(3), torch.rand(3) + 0.2
out = F.batch_norm(x, rm, rv, gamma, beta, training=False, eps=1e-5)
g = torch.randn_like(out)
out.backward(g)
cases["batchnorm_eval"] = entry(x=x, gamma=gamma, beta=beta, running_mean=rm, running_var=rv, out=out, seed=g,
                                grad_x=x.grad, grad_gamma=gamma.grad, grad_beta=beta.grad)

# batch norm 1d in training mode
x = torch.randn(6, 4, requires_grad=True)
rm, rv = torch.zeros(4), torch.ones(4)
out = F.batch_norm(x, rm, rv, None, None, training=True)
g = torch.randn_like(out)
out.backward(g)
cases["batchnorm1d_train"] = entry(x=x, out=out, seed=g, grad_x=x.grad, running_mean=rm, running_var=rv)

# cross-entropy with class weights and label smoothing
logits = torch.randn(5, 4, requires_grad=True)
targets = torch.tensor([0, 3, 3, 1, 2])
weights = torch.tensor([0.5, 2.0, 1.0, 3.0])
loss = F.cross_entropy(logits, targets, weight=weights, label_smoothing=0.1)
loss.backward()
cases["cross_entropy"] = entry(logits=logits, targets=targets.tolist(), weights=weights, smoothing=0.1,
                               loss=float(loss), grad=logits.grad)

# binary cross-entropy and MSE
p = torch.rand(7, requires_grad=True)
t = torch.rand(7)
loss = F.binary_cross_entropy(p, t)
loss.backward()
cases["bce"] = entry(p=p, t=t, loss=float(loss), grad=p.grad)


def optimiser_case(make, steps=3):
    torch.manual_seed(1)
    w = torch.randn(6, requires_grad=True)
    w0 = w.detach().clone()
    grads = [torch.randn(6) for _ in range(steps)]
    opt = make([w])
    trajectory = []
    for gr in grads:
        opt.zero_grad()
        w.grad = gr.clone()
        opt.step()
        trajectory.append(flat(w))
    return {"w0": flat(w0), "grads": [flat(gr) for gr in grads], "trajectory": trajectory}


cases["sgd"] = optimiser_case(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01))
cases["sgd_nesterov"] = optimiser_case(lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True))
cases["adam"] = optimiser_case(lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1))


# batch norm folded into the convolution before it (evaluation mode), with and without a
# conv bias; torch.nn.utils.fusion's weights, and the module pair's output for the same input
def fold_case(bias):
    from torch.nn.utils.fusion import fuse_conv_bn_eval
    torch.manual_seed(2 if bias else 3)
    conv = torch.nn.Conv2d(3, 5, 3, stride=1, padding=1, bias=bias)
    bn = torch.nn.BatchNorm2d(5)
    with torch.no_grad():
        bn.weight.copy_(torch.rand(5) + 0.5)
        bn.bias.copy_(torch.randn(5))
        bn.running_mean.copy_(torch.randn(5) * 0.3)
        bn.running_var.copy_(torch.rand(5) + 0.2)
    conv.eval(); bn.eval()
    fused = fuse_conv_bn_eval(conv, bn)
    x = torch.randn(2, 3, 6, 7)
    with torch.no_grad():
        out = F.relu(bn(conv(x)))
    tensors = dict(w=conv.weight, gamma=bn.weight, beta=bn.bias, running_mean=bn.running_mean,
                   running_var=bn.running_var, folded_w=fused.weight, folded_b=fused.bias, x=x, out=out)
    if bias:
        tensors["b"] = conv.bias
    return entry(**tensors)


cases["fold_bias"] = fold_case(True)
cases["fold"] = fold_case(False)

with open(sys.argv[1], "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
print("wrote", sys.argv[1])
