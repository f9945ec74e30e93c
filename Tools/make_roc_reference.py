#!/usr/bin/env python3
# Reference values for Tests/RecommenderTests/Reference/roc.json: scikit-learn's roc_curve
# (drop_intermediate both ways), roc_auc_score, the Youden threshold and accuracies, and
# NumPy's column median and MinMaxScaler, on fixed vectors with ties.
# Run: python3 -m venv /root/skenv && /root/skenv/bin/pip install numpy scikit-learn
#      /root/skenv/bin/python Tools/make_roc_reference.py > Tests/RecommenderTests/Reference/roc.json
# (made with scikit-learn 1.9.1, NumPy 2.4.6)
import json
import numpy as np
import sklearn
from sklearn.metrics import roc_curve, roc_auc_score, accuracy_score
from sklearn.preprocessing import MinMaxScaler

def finite(a):
    return [None if not np.isfinite(v) else float(v) for v in a]

cases = []
rng = np.random.default_rng(7)
vectors = [
    ("ties", [1, 0, 1, 1, 0, 0, 1, 0, 1, 1], [0.5, 0.5, 0.2, 0.9, 0.1, 0.5, 0.2, -0.3, 0.9, 0.0]),
    ("all_equal_scores", [1, 0, 1, 0], [0.25, 0.25, 0.25, 0.25]),
    ("perfect", [0, 0, 1, 1, 1], [-1.0, -0.5, 0.3, 0.4, 0.4]),
    ("collinear", [1, 1, 1, 0, 0, 0, 1, 0], [0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]),
    ("random_rounded", list(rng.integers(0, 2, 200)), list(np.round(rng.normal(0, 0.1, 200), 2))),
]
for name, y, s in vectors:
    y = np.array(y, dtype=int); s = np.array(s, dtype=np.float64)
    fpr, tpr, thr = roc_curve(y, s)
    fpr_all, tpr_all, thr_all = roc_curve(y, s, drop_intermediate=False)
    idx = int(np.argmax(tpr - fpr))
    t = thr[idx]
    cases.append({
        "name": name, "labels": y.tolist(), "scores": s.tolist(),
        "fpr": fpr.tolist(), "tpr": tpr.tolist(), "thresholds": finite(thr),
        "fpr_all": fpr_all.tolist(), "tpr_all": tpr_all.tolist(), "thresholds_all": finite(thr_all),
        "auc": float(roc_auc_score(y, s)),
        "youden_index": idx, "youden_threshold": None if not np.isfinite(t) else float(t),
        "accuracy_at_0": float(accuracy_score(y, [1 if v > 0 else 0 for v in s])),
        "accuracy_at_youden": float(accuracy_score(y, [1 if v >= t else 0 for v in s])),
    })

m = rng.normal(0, 1, (7, 5)).astype(np.float32)
m[:, 2] = 3.0  # a constant column
median_odd = np.median(m, axis=0)
median_even = np.median(m[:6], axis=0)
scaled = MinMaxScaler().fit(m[:4]).transform(m)
print(json.dumps({"sklearn": sklearn.__version__, "numpy": np.__version__, "cases": cases,
                  "matrix": m.tolist(), "median_odd": median_odd.tolist(), "median_even": median_even.tolist(),
                  "minmax_fit_first_4": scaled.tolist()}, indent=1))
