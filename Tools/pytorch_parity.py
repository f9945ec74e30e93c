"""Replay a Fashion-MNIST run of `fashion train-mnist` in PyTorch and compare, epoch by epoch.

Swift side (no augmentation; same weights and batch order exported):
    .build/release/fashion train-mnist --out runs/parity --epochs 2 --no-augment --export-parity --restart
PyTorch side (torch 2.15, torchvision 0.29; CPU), then the comparison:
    /root/torchenv/bin/python Tools/pytorch_parity.py runs/parity

Reads RUN/initial.safetensors (loaded with safetensors.torch.load_file + load_state_dict,
strict) and RUN/batch-order.json (every epoch's training indices, batch size, optimiser,
learning rate, weight decay, schedule, label smoothing, normalisation), trains torchvision's
resnet18 with the run's stem from the same start over the same batches, writes
RUN/pytorch-log.jsonl, and prints both runs' per-epoch training loss and test accuracy.
Exits 1 unless every epoch's training loss is within 2 % and test accuracy within 0.5 points.
"""
import argparse, gzip, json, math, os, re, sys, time

import numpy as np
import torch, torchvision
from safetensors import safe_open
from safetensors.torch import load_file


def snake(record):
    """Keys in snake_case (the suite's files since 2026-11-24; camelCase before)."""
    return {re.sub(r"(?<!^)([A-Z])", r"_\1", k).lower(): v for k, v in record.items()}



def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    cfg = snake(json.load(open(os.path.join(args.run, "batch-order.json"))))
    if cfg["augment"]:
        sys.exit("the Swift run used augmentation; export with --no-augment for a parity run")
    initial = os.path.join(args.run, "initial.safetensors")
    state = load_file(initial)
    with safe_open(initial, "pt") as f:
        stem = (f.metadata() or {}).get("stem", "compact")
    model = torchvision.models.resnet18(num_classes=state["fc.weight"].shape[0])
    model.conv1 = torch.nn.Conv2d(state["conv1.weight"].shape[1], 64, 3, 1, 1, bias=False)
    if stem == "small":
        model.maxpool = torch.nn.Identity()
    model.load_state_dict(state, strict=True)

    mean, std = cfg["mean"], cfg["std"]
    def tensor(images):
        return ((torch.from_numpy(images.astype(np.float32)) / 255 - mean) / std).unsqueeze(1)
    train_x = tensor(idx(os.path.join(args.data, "train-images-idx3-ubyte.gz")))
    train_y = torch.from_numpy(idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz")).astype(np.int64))
    test_x = tensor(idx(os.path.join(args.data, "t10k-images-idx3-ubyte.gz")))
    test_y = torch.from_numpy(idx(os.path.join(args.data, "t10k-labels-idx1-ubyte.gz")).astype(np.int64))

    epochs = len(cfg["epochs"])
    if cfg["optimizer"] == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=cfg["learning_rate"], weight_decay=cfg["weight_decay"])
    else:
        opt = torch.optim.SGD(model.parameters(), lr=cfg["learning_rate"], momentum=0.9, nesterov=True,
                              weight_decay=cfg["weight_decay"])
    schedule = {"cosine": lambda: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs),
                "step": lambda: torch.optim.lr_scheduler.StepLR(opt, step_size=max(1, epochs // 3), gamma=0.1),
                "constant": lambda: None}[cfg["schedule"]]()
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=cfg["label_smoothing"])
    bs = cfg["batch_size"]

    records = []
    for epoch, order in enumerate(cfg["epochs"]):
        model.train()
        lr = opt.param_groups[0]["lr"]
        started = time.time()
        order = torch.tensor(order, dtype=torch.int64)
        loss_sum, correct, seen = 0.0, 0, 0
        for b in range(0, len(order), bs):
            sel = order[b: b + bs]
            x, y = train_x[sel], train_y[sel]
            opt.zero_grad(set_to_none=True)
            logits = model(x)
            loss = loss_fn(logits, y)
            if not math.isfinite(loss.item()):
                sys.exit(f"epoch {epoch + 1} batch {b // bs}: non-finite loss")
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(sel)
            correct += (logits.argmax(1) == y).sum().item()
            seen += len(sel)
        seconds = time.time() - started
        if schedule is not None:
            schedule.step()
        model.eval()
        with torch.no_grad():
            test_loss, test_correct = 0.0, 0
            for b in range(0, len(test_x), bs):
                logits = model(test_x[b: b + bs])
                test_loss += torch.nn.functional.cross_entropy(logits, test_y[b: b + bs], reduction="sum").item()
                test_correct += (logits.argmax(1) == test_y[b: b + bs]).sum().item()
        record = {"epoch": epoch + 1, "learning_rate": lr, "train_loss": loss_sum / seen, "train_accuracy": correct / seen,
                  "validation_loss": test_loss / len(test_x), "validation_accuracy": test_correct / len(test_x),
                  "seconds": seconds, "images_per_second": seen / seconds}
        records.append(record)
        print(json.dumps(record), flush=True)
    with open(os.path.join(args.run, "pytorch-log.jsonl.tmp"), "w") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
    os.replace(os.path.join(args.run, "pytorch-log.jsonl.tmp"), os.path.join(args.run, "pytorch-log.jsonl"))

    ours = [snake(json.loads(line)) for line in open(os.path.join(args.run, "log.jsonl")) if line.strip()]
    ok = True
    print("\n| epoch | train loss (Swift) | train loss (PyTorch) | difference | test acc (Swift) | test acc (PyTorch) | difference | img/s Swift / PyTorch |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s, t in zip(ours, records):
        dl = abs(s["train_loss"] - t["train_loss"]) / t["train_loss"]
        da = 100 * abs(s["validation_accuracy"] - t["validation_accuracy"])
        ok = ok and dl <= 0.02 and da <= 0.5
        print(f"| {t['epoch']} | {s['train_loss']:.4f} | {t['train_loss']:.4f} | {100 * dl:.2f} % | "
              f"{100 * s['validation_accuracy']:.2f} % | {100 * t['validation_accuracy']:.2f} % | {da:.2f} pt | "
              f"{s['images_per_second']:.0f} / {t['images_per_second']:.0f} |")
    if len(ours) != len(records):
        print(f"Swift log has {len(ours)} epochs, PyTorch ran {len(records)}")
        ok = False
    print("parity: " + ("within 2 % loss and 0.5 points accuracy" if ok else "NOT within the bounds"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
