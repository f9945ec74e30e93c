#!/usr/bin/env python3
"""The best any preference method could do on a generated set (issue 33): each validation
answer's true probability of a like, from `fashion synth`'s ROOT.truth.csv, joined with
`fashion recommend`'s scores.csv by label file.

The Bayes rule (predict a like iff p > 0.5) gives the ceiling of accuracy, and p itself the
ceiling of AUC. Beside it, every `score_<method>` column's accuracy at 0 and AUC, and the
share of the gap between the seed's rule (`score_item`) and the ceiling each method closes.

Usage: Tools/bayes_ceiling.py data/kfashion.truth.csv runs/recommend/scores.csv
(standard library only; prints a Markdown table)
"""
import csv
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
    if len(sys.argv) != 3:
        sys.exit(__doc__)
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
        figures[m] = (sum((v > 0) == y for v, y in zip(s, liked)) / n, auc(s, liked))
    seed = figures.get("score_item", (float("nan"),))[0]
    print(f"{n} validation answers, {sum(liked)} likes\n")
    print("| method | accuracy at 0 | AUC | share of the gap seed → ceiling closed |")
    print("|---|---:|---:|---:|")
    print(f"| Bayes ceiling (like iff p > 0.5; AUC of p) | {100 * ceiling:.2f} % | {auc(p, liked):.3f} | 100 % |")
    for m, (accuracy, area) in figures.items():
        share = (accuracy - seed) / (ceiling - seed) if ceiling != seed else float("nan")
        print(f"| {m[6:]} | {100 * accuracy:.2f} % | {area:.3f} | {100 * share:.0f} % |")


if __name__ == "__main__":
    main()
