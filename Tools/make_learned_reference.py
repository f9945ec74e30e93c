#!/usr/bin/env python3
# Reference values for Tests/RecommenderTests/Reference/learned.json: the learned preference
# model σ(c + b_r + w·φ_i + u_r·(V φ_i)) (Sources/Recommender/Learned/LogisticFactorization.swift)
# replayed in PyTorch's autograd, float64: the objective (mean log-loss + λ_b/2‖b‖² + λ/2(‖U‖²+‖V‖²))
# and its gradient at a fixed starting point, then 60 steps of full-batch torch.optim.Adam and
# the fitted logits. Respondent −1 is one without a row (population model), photo −1 one without
# features (φ = 0). Parameters are flattened in the Swift order: c, b, U, w, V.
# Run: python3 -m venv /root/skenv && /root/skenv/bin/pip install numpy torch
#      /root/skenv/bin/python Tools/make_learned_reference.py > Tests/RecommenderTests/Reference/learned.json
import json
import numpy as np
import torch

rng = np.random.default_rng(33)
R, P, d, k, N = 5, 7, 4, 2, 40
phi = rng.normal(size=(P, d))
resp = rng.integers(-1, R, size=N)      # −1: no row
photo = rng.integers(-1, P, size=N)     # −1: no features
y = (rng.uniform(size=N) < 0.45).astype(np.float64)
lam_b, lam = 0.02, 0.05
c0 = np.array([0.1]); b0 = 0.3 * rng.normal(size=R); U0 = 0.5 * rng.normal(size=(R, k))
w0 = 0.5 * rng.normal(size=d); V0 = 0.5 * rng.normal(size=(k, d))
flat0 = np.concatenate([c0, b0, U0.ravel(), w0, V0.ravel()])

def tensors(flat):
    t = torch.tensor(flat, dtype=torch.float64)
    parts = torch.split(t, [1, R, R * k, d, k * d])
    return [p.clone().requires_grad_(True) for p in parts]

Phi = torch.tensor(phi); Y = torch.tensor(y)
r_ok = torch.tensor(resp >= 0); p_ok = torch.tensor(photo >= 0)
r_idx = torch.tensor(np.maximum(resp, 0)); p_idx = torch.tensor(np.maximum(photo, 0))

def objective(c, b, U, w, V):
    Uk = U.view(R, k); Vk = V.view(k, d)
    feats = torch.where(p_ok[:, None], Phi[p_idx], torch.zeros(N, d, dtype=torch.float64))
    z = c + feats @ w
    personal = b[r_idx] + (Uk[r_idx] * (feats @ Vk.T)).sum(1)
    z = z + torch.where(r_ok, personal, torch.zeros(N, dtype=torch.float64))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, Y)
    return loss + lam_b / 2 * (b ** 2).sum() + lam / 2 * ((U ** 2).sum() + (V ** 2).sum()), z

params = tensors(flat0)
loss, _ = objective(*params)
loss.backward()
grad0 = torch.cat([p.grad for p in params]).tolist()

params = tensors(flat0)
opt = torch.optim.Adam(params, lr=0.05, betas=(0.9, 0.999), eps=1e-8)
losses = []
for _ in range(60):
    opt.zero_grad()
    loss, _ = objective(*params)
    losses.append(loss.item())
    loss.backward()
    opt.step()
with torch.no_grad():
    _, z = objective(*params)

print(json.dumps({
    "made_with": f"PyTorch {torch.__version__}, NumPy {np.__version__}, float64",
    "respondents": R, "photos": P, "dimension": d, "rank": k,
    "features": phi.ravel().tolist(), "respondent": resp.tolist(), "photo": photo.tolist(), "liked": y.tolist(),
    "bias_decay": lam_b, "personal_decay": lam, "learning_rate": 0.05, "steps": 60,
    "initial": flat0.tolist(), "initial_loss": float(objective(*tensors(flat0))[0].item()), "initial_gradient": grad0,
    "losses": losses, "fitted": torch.cat([p.detach() for p in params]).tolist(), "fitted_logits": z.tolist(),
}, indent=1))
