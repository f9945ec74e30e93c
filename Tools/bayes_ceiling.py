#!/usr/bin/env python3
"""The best any preference method could do on a generated set (issue 33): each validation
answer's true probability of a like, from `fashion synth`'s ROOT.truth.csv, joined with
`fashion recommend`'s scores.csv by label file.

The Bayes rule (predict a like iff p > 0.5) gives the ceiling of accuracy, and p itself the
ceiling of AUC. Beside it, every `score_<method>` column's accuracy at 0 and AUC, and the
share of the gap between the seed's rule (`score_item`) and the ceiling each method closes.

With the run's metrics.json as a third argument, each method's accuracy at its leak-free
training threshold (`train_threshold`, chosen on training answers only) and the share of the
gap closed at it (the seed's rule at its own training threshold) are added.

Usage: Tools/bayes_ceiling.py data/kfashion.truth.csv runs/recommend/scores.csv [runs/recommend/metrics.json]
(standard library only; prints a Markdown table)
"""
import csv
import json
import re
import sys


def auc(scores, labels):
    """Mann-Whitney AUC with ties counted half, as scikit-learn's roc_auc_score."""
    pairs = sorted(zip(scores, labels))
    positives = sum(labels)
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        mean_rank = (i + 1 + j) / 2
        rank_sum += mean_rank * sum(1 for k in range(i, j) if pairs[k][1])
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    thresholds = {}
    if len(sys.argv) == 4:
        for m in json.load(open(sys.argv[3])):
            column = "score_" + "_".join(w for w in re.split(r"[^0-9a-z]+", m["method"].lower()) if w)
            t = m.get("train_threshold")
            thresholds[column] = float("inf") if t is None else t
    truth = {row["label_file"]: float(row["probability"]) for row in csv.DictReader(open(sys.argv[1]))}
    rows = list(csv.DictReader(open(sys.argv[2])))
    missing = [r["label_file"] for r in rows if r["label_file"] not in truth]
    if missing:
        sys.exit(f"{len(missing)} scored answers are not in {sys.argv[1]} (another tree?), e.g. {missing[0]}")
    liked = [r["liked"] == "true" for r in rows]
    p = [truth[r["label_file"]] for r in rows]
    n = len(rows)
    ceiling = sum((q > 0.5) == y for q, y in zip(p, liked)) / n
    methods = [c for c in rows[0] if c.startswith("score_")] if rows else []
    figures = {}
    for m in methods:
        s = [float(r[m]) for r in rows]
        at_train = None
        if m in thresholds:
            at_train = sum((v >= thresholds[m]) == y for v, y in zip(s, liked)) / n
        figures[m] = (sum((v > 0) == y for v, y in zip(s, liked)) / n, auc(s, liked), at_train)
    seed = figures.get("score_item", (float("nan"),))[0]
    seed_train = figures.get("score_item", (None, None, None))[2]

    def share(accuracy, base):
        return f"{100 * (accuracy - base) / (ceiling - base):.0f} %" if ceiling != base else "–"

    print(f"{n} validation answers, {sum(liked)} likes\n")
    if thresholds:
        print("| method | accuracy at 0 | AUC | share of the gap closed at 0 | accuracy at the training threshold | share closed at it |")
        print("|---|---:|---:|---:|---:|---:|")
        print(f"| Bayes ceiling (like iff p > 0.5; AUC of p) | {100 * ceiling:.2f} % | {auc(p, liked):.3f} | 100 % | | |")
    else:
        print("| method | accuracy at 0 | AUC | share of the gap seed → ceiling closed |")
        print("|---|---:|---:|---:|")
        print(f"| Bayes ceiling (like iff p > 0.5; AUC of p) | {100 * ceiling:.2f} % | {auc(p, liked):.3f} | 100 % |")
    for m, (accuracy, area, at_train) in figures.items():
        line = f"| {m[6:]} | {100 * accuracy:.2f} % | {area:.3f} | {share(accuracy, seed)} |"
        if thresholds:
            line += (f" {100 * at_train:.2f} % | {share(at_train, seed_train)} |" if at_train is not None and seed_train is not None else " – | – |")
        print(line)


if __name__ == "__main__":
    main()
