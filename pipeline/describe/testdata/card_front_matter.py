"""Parses a dataset card's YAML front matter and says which of the data
files it names exist beside it."""
import json
import os
import sys

import yaml

text = open(sys.argv[1], encoding="utf-8").read()
if not text.startswith("---\n"):
    sys.exit("no front matter")
fm = yaml.safe_load(text[4:text.index("\n---\n", 4)])
files = []
for cfg in fm["configs"]:
    for df in cfg["data_files"]:
        paths = df["path"]
        files += paths if isinstance(paths, list) else [paths]
base = os.path.dirname(sys.argv[1])
fm["files"] = files
fm["exists"] = [os.path.isfile(os.path.join(base, f)) for f in files]
print(json.dumps(fm))
