"""Missions 2-1 and 2-2 the way the camp's notebook does them (pandas + json.load), for timing.

Run:  python Tools/missions_pandas.py DATA_ROOT [OUT_DIR]
      (any Python with pandas; this copy ran with pandas 2.x in /root/torchenv)
Same work as `fashion preferences --data DATA_ROOT --format csv --html F`: list both image
and label folders, split names into columns, normalise hippee → hippie, keep labels whose
full image stem exists in the same split, json.load each valid label for Q5 and user.R_id,
drop a respondent's contradictory answers, per-respondent liked/disliked lists for training
and validation, the top 100 by answer count (ties by R_id), CSV and a scrollable HTML table.
"""
import json, os, sys, time
import pandas as pd

start = time.time()
root = sys.argv[1]
out = sys.argv[2] if len(sys.argv) > 2 else "/tmp"
COLS = ["WT", "image_id", "period", "style", "gender"]


def frame(folder, label):
    names = [n for n in os.listdir(os.path.join(root, folder)) if not n.startswith(".")]
    df = pd.DataFrame({"file_name": names})
    stem = df["file_name"].str.rsplit(".", n=1).str[0]
    parts = stem.str.split("_", expand=True)
    ncols = 6 if label else 5
    parts = parts.iloc[:, :ncols]
    parts.columns = COLS + (["survey_id"] if label else [])
    df = pd.concat([df, parts], axis=1)
    df["style"] = df["style"].replace({"hippee": "hippie"})
    df["key"] = df["WT"] + "_" + df["image_id"] + "_" + df["period"] + "_" + df["style"] + "_" + df["gender"]
    return df


rows = []
counts = {}
for split in ["training", "validation"]:
    images = frame(f"{split}_image", False)
    labels = frame(f"{split}_label", True)
    valid = labels[labels["key"].isin(set(images["key"]))].copy()
    counts[split] = (len(labels), len(valid))
    valid["split"] = split
    q5, rid = [], []
    for name in valid["file_name"]:
        with open(os.path.join(root, f"{split}_label", name)) as f:
            data = json.load(f)
        q5.append(data["item"]["survey"]["Q5"])
        rid.append(data["user"]["R_id"])
    valid["Q5"] = q5
    valid["R_id"] = rid
    valid["jpg_name"] = valid["file_name"].str.rsplit("_", n=1).str[0] + ".jpg"
    rows.append(valid)

table = pd.concat(rows, ignore_index=True)
# Mission 2-1 counts by gender and style.
by_class = table.groupby(["split", "gender", "style"]).size()
# Contradictions: one respondent, one image, both answers.
answers = table.groupby(["R_id", "split", "key"])["Q5"].transform("nunique")
table = table[answers == 1].drop_duplicates(["R_id", "split", "key"])
# Mission 2-2: lists per respondent.
lists = {}
for (split, q5), name in [(("training", 2), "training_liked"), (("training", 1), "training_disliked"),
                          (("validation", 2), "validation_liked"), (("validation", 1), "validation_disliked")]:
    part = table[(table["split"] == split) & (table["Q5"] == q5)]
    lists[name] = part.groupby("R_id")["jpg_name"].apply(lambda s: sorted(s))
prefs = pd.DataFrame(lists)
prefs = prefs.apply(lambda col: col.apply(lambda v: v if isinstance(v, list) else []))
prefs["answers"] = prefs.apply(lambda r: sum(len(v) for v in r), axis=1)
prefs = prefs.reset_index().rename(columns={"index": "R_id"})
top = prefs.sort_values(["answers", "R_id"], ascending=[False, True]).head(100)
# The same tidy table as `fashion preferences --format csv`: one row per answer of the top respondents.
rank = pd.Series(range(1, len(top) + 1), index=top["R_id"].values)
long = table[table["R_id"].isin(top["R_id"])][["R_id", "split", "jpg_name", "Q5"]]
long = long.assign(liked=long["Q5"] == 2).drop(columns="Q5").rename(columns={"R_id": "respondent", "jpg_name": "image"})
long.insert(0, "rank", long["respondent"].map(rank))
long = long.sort_values(["rank", "split", "liked", "image"], ascending=[True, True, False, True])
long.to_csv(os.path.join(out, "pandas_top100.csv"), index=False)
html = top.to_html(index=False)
with open(os.path.join(out, "pandas_top100.html"), "w") as f:
    f.write('<div style="max-height:600px; overflow:auto">' + html + "</div>")
elapsed = time.time() - start
print(json.dumps({"seconds": round(elapsed, 3), "label_files": {k: v[0] for k, v in counts.items()},
                  "valid_labels": {k: v[1] for k, v in counts.items()}, "answers_kept": int(len(table)),
                  "respondents": int(len(prefs)), "classes": int(len(by_class))}))
