#!/usr/bin/env python3
# Reference values for Tests/ModelsTests/Reference/pca.json: scikit-learn's PCA (full solver,
# with and without whitening) on fixed float32 data with correlated columns, and one matrix's
# eigen-decomposition by NumPy (numpy.linalg.eigh).
# Run: python3 -m venv /root/skenv && /root/skenv/bin/pip install numpy scikit-learn
#      /root/skenv/bin/python Tools/make_pca_reference.py > Tests/ModelsTests/Reference/pca.json
import json
import numpy as np
import sklearn
from sklearn.decomposition import PCA

rng = np.random.default_rng(11)
latent = rng.normal(size=(40, 3))
mix = rng.normal(size=(3, 7))
data = (latent @ mix + 0.1 * rng.normal(size=(40, 7)) + np.arange(7)).astype(np.float32)
out = {"made_with": f"scikit-learn {sklearn.__version__}, NumPy {np.__version__}",
       "rows": 40, "dimension": 7, "data": [float(v) for v in data.ravel()]}
for whiten in (False, True):
    pca = PCA(n_components=4, svd_solver="full", whiten=whiten).fit(data.astype(np.float64))
    out["whiten" if whiten else "plain"] = {
        "mean": pca.mean_.tolist(), "components": pca.components_.ravel().tolist(),
        "explained_variance": pca.explained_variance_.tolist(),
        "explained_variance_ratio": pca.explained_variance_ratio_.tolist(),
        "transform_first_5": pca.transform(data[:5].astype(np.float64)).ravel().tolist()}
m = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 1.0]])
w, v = np.linalg.eigh(m)
out["eigh"] = {"matrix": m.ravel().tolist(), "values_ascending": w.tolist(), "vectors_columns": v.ravel().tolist()}
print(json.dumps(out, indent=1))
