"""scikit-learn's per-class precision/recall/F1 and macro F1 for the case in
Tests/ModelsTests/EvaluationTests.swift (a class never predicted, a class never true).
Run: python Tools/make_classification_reference.py  (needs scikit-learn)"""
from sklearn.metrics import precision_recall_fscore_support, f1_score, accuracy_score

truth = [0, 0, 0, 1, 1, 2, 2, 2, 3, 3]
pred = [0, 0, 1, 1, 0, 2, 2, 0, 0, 4]   # class 3 never predicted right, class 4 never true
labels = [0, 1, 2, 3, 4]
p, r, f, s = precision_recall_fscore_support(truth, pred, labels=labels, zero_division=0)
print("precision", [round(x, 12) for x in p])
print("recall", [round(x, 12) for x in r])
print("f1", [round(x, 12) for x in f])
print("support", list(s))
print("macro_f1", round(f1_score(truth, pred, average="macro", zero_division=0), 12))
print("accuracy", accuracy_score(truth, pred))
