#!/usr/bin/env python3
"""Replays `fashion recommend` in pandas + NumPy + scikit-learn and compares, as the camp's
notebook computed mission 3-2 (feature_df, DUMMY_FEATURES = median, cosine_similarity means).

    /root/skenv/bin/python Tools/recommend_reference.py RUN_DIR FEATURES.csv [--time-only]

RUN_DIR is a `fashion recommend` output folder (its answers.csv gives the valid answers the
Swift run used; scores.csv and metrics.json are compared). Thresholds are chosen on the training answers whose own side keeps another answer when they
are left out (as the Swift code does). Checks: every item-based score
within 1e-5, the same count of correct pairs at 0, at the Youden threshold and at the
leave-one-out training threshold, AUC and thresholds within 1e-5, for item, item-centroid
and user-based (k from metrics.json). Exits 1 on any mismatch. Made with pandas 3.1.1, NumPy 2.4.6,
scikit-learn 1.9.1. `--time-only` computes everything and skips the comparison (for timing).
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, roc_auc_score, roc_curve
from sklearn.metrics.pairwise import cosine_similarity

run, features_csv = sys.argv[1], sys.argv[2]
time_only = "--time-only" in sys.argv
t0 = time.time()
feature_df = pd.read_csv(features_csv, index_col="stem").astype(np.float32)
answers = pd.read_csv(f"{run}/answers.csv")
answers["y_like"] = answers.liked.astype(int)
DUMMY = feature_df.median().values.reshape(1, -1)
train = answers[answers.split == "training"]
valid = answers[answers.split == "validation"]
BY_RESPONDENT = {r: g for r, g in train.groupby("respondent")}


UNIT = feature_df.values / np.maximum(np.linalg.norm(feature_df.values, axis=1, keepdims=True), 1e-30)
CENTROID = UNIT.mean(axis=0)


def item_scores(queries, exclude_self, centroid=False):
    """Mission 3-2 per respondent; with exclude_self each training answer leaves itself out.
    With centroid, an empty side scores the photo's mean cosine to every photo (item-centroid)."""
    out = np.zeros(len(queries))
    own_side_kept = np.zeros(len(queries), dtype=bool)
    for pos, (idx, q) in enumerate(queries.iterrows()):
        mine = BY_RESPONDENT.get(q.respondent, train.iloc[0:0])
        if exclude_self:
            mine = mine.drop(index=idx)
        likes = [s for s in mine[mine.y_like == 1].stem if s in feature_df.index]
        dislikes = [s for s in mine[mine.y_like == 0].stem if s in feature_df.index]
        like_features = feature_df.loc[likes].values if likes else DUMMY
        dislike_features = feature_df.loc[dislikes].values if dislikes else DUMMY
        v = feature_df.loc[[q.stem]].values if q.stem in feature_df.index else DUMMY
        if centroid:
            vn = v / np.linalg.norm(v)
            like = cosine_similarity(v, like_features).mean() if likes else float((vn @ CENTROID)[0])
            dislike = cosine_similarity(v, dislike_features).mean() if dislikes else float((vn @ CENTROID)[0])
            out[pos] = like - dislike
        else:
            out[pos] = cosine_similarity(v, like_features).mean() - cosine_similarity(v, dislike_features).mean()
        own_side_kept[pos] = bool(likes) if q.y_like == 1 else bool(dislikes)
    return out, own_side_kept


def user_scores(queries, k, training_only):
    vectors = {r: dict(zip(g.stem, np.where(g.y_like == 1, 1.0, -1.0))) for r, g in train.groupby("respondent")}
    votes_from = train if training_only else pd.concat([train, valid])
    raters = {s: g for s, g in votes_from.groupby("stem")}
    out = []
    for _, q in queries.iterrows():
        mine = dict(vectors.get(q.respondent, {}))
        if training_only:
            mine.pop(q.stem, None)
        neighbours, seen = [], set()
        for _, o in (raters[q.stem].iterrows() if q.stem in raters else []):
            if o.respondent == q.respondent or o.respondent in seen:
                continue
            seen.add(o.respondent)
            theirs = vectors.get(o.respondent, {})
            if not mine or not theirs:
                continue
            sim = sum(a * theirs.get(s, 0.0) for s, a in mine.items()) / (np.sqrt(len(mine)) * np.sqrt(len(theirs)))
            if sim > 0:
                neighbours.append((sim, 1.0 if o.y_like == 1 else -1.0))
        neighbours.sort(key=lambda t: -t[0])
        top = neighbours[:k]
        den = sum(s for s, _ in top)
        out.append(sum(s * a for s, a in top) / den if den > 0 else np.nan)
    return np.array(out)


def figures(y, s, y_train, s_train):
    fpr, tpr, thr = roc_curve(y, s)
    t_youden = thr[np.argmax(tpr - fpr)]
    fpr_t, tpr_t, thr_t = roc_curve(y_train, s_train)
    t_train = thr_t[np.argmax(tpr_t - fpr_t)]
    return {"correct_at_0": int(accuracy_score(y, s > 0, normalize=False)),
            "youden_threshold": float(t_youden), "correct_at_youden": int(accuracy_score(y, s >= t_youden, normalize=False)),
            "train_threshold": float(t_train), "correct_at_train_threshold": int(accuracy_score(y, s >= t_train, normalize=False)),
            "auc": float(roc_auc_score(y, s))}


y, y_train = valid.y_like.values, train.y_like.values
item_v, _ = item_scores(valid, False)
item_t, usable = item_scores(train, True)
# Thresholds and k are chosen on training answers whose own side keeps another answer (see
# PreferenceEvaluation: leaving out a side's only answer ties the median stand-in to the label).
item_t, y_train = item_t[usable], y_train[usable]
cent_v, _ = item_scores(valid, False, centroid=True)
cent_t, _ = item_scores(train, True, centroid=True)
cent_t = cent_t[usable]
_metrics = json.load(open(f"{run}/metrics.json"))
ours = {m["method"]: m for m in (_metrics["methods"] if isinstance(_metrics, dict) else _metrics)}
results = {"item": figures(y, item_v, y_train, item_t), "item-centroid": figures(y, cent_v, y_train, cent_t)}
user_v = user_t = None
if "user" in ours:
    k = int(ours["user"]["parameters"]["k"])
    user_v, user_t = user_scores(valid, k, False), user_scores(train[usable], k, True)
    results["user"] = figures(y, np.where(np.isnan(user_v), cent_v, user_v), y_train, np.where(np.isnan(user_t), cent_t, user_t))
elapsed = time.time() - t0
print(f"replayed {len(valid)} validation and {len(train)} training answers in {elapsed:.2f} s")
if time_only:
    sys.exit(0)

failures = []
scores = pd.read_csv(f"{run}/scores.csv")
diff = np.abs(scores.score_item.values - item_v).max()
print(f"item: largest score difference {diff:.2e}")
if diff > 1e-5:
    failures.append(f"item scores differ by {diff}")
d = np.abs(scores["score_item_centroid"].values - cent_v).max()
print(f"item-centroid: largest score difference {d:.2e}")
if d > 1e-5:
    failures.append(f"item-centroid scores differ by {d}")
if user_v is not None and "score_user" in scores:
    swift_user = scores.score_user.values
    replay = np.where(np.isnan(user_v), cent_v, user_v)
    d = np.abs(swift_user - replay).max()
    print(f"user: largest score difference {d:.2e}")
    if d > 1e-5:
        failures.append(f"user scores differ by {d}")
for method, want in results.items():
    got = ours[method]
    for key, value in want.items():
        g = got.get(key)
        ok = (g == value) if key.startswith("correct") else (g is not None and abs(g - value) < 1e-5)
        print(f"{method:5s} {key:28s} swift {g!s:>22s}  sklearn {value!s:>22s}  {'ok' if ok else 'DIFFERS'}")
        if not ok:
            failures.append(f"{method} {key}: {g} vs {value}")
if failures:
    print("MISMATCH:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("all figures agree")
