"""Validates a croissant.json with mlcroissant and prints the flows record
set, one JSON object per line, keyed by column name."""
import json
import sys

import mlcroissant as mlc


def plain(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if hasattr(v, "tolist"):
        return plain(v.tolist())
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)):
        return float(v)
    return v


ds = mlc.Dataset(jsonld=sys.argv[1])
for rec in ds.records(record_set="flows"):
    out = {k.split("/", 1)[1]: plain(v) for k, v in rec.items()}
    print(json.dumps(out, sort_keys=True))
