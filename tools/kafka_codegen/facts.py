#!/usr/bin/env python3
"""Writes the facts of Kafka's request/response message definitions (names,
api keys, versions, field names, types, defaults, tags; no descriptions or
comments) as one JSON file, for the raw-wire system tests.

    python3 tools/kafka_codegen/facts.py ../shared/kafka-protocol/messages \
        tests/system/lib/kafka_messages.json
"""

import glob
import json
import os
import re
import sys

KEEP = {"apiKey", "type", "name", "validVersions", "flexibleVersions", "fields", "commonStructs",
        "versions", "nullableVersions", "default", "tag", "taggedVersions"}


def facts(o):
    if isinstance(o, dict):
        return {k: facts(v) for k, v in o.items() if k in KEEP}
    if isinstance(o, list):
        return [facts(x) for x in o]
    return o


def main(src, dst):
    out = {}
    for path in sorted(glob.glob(os.path.join(src, "*.json"))):
        with open(path) as f:
            msg = json.loads(re.sub(r"^\s*//.*$", "", f.read(), flags=re.M))
        if msg.get("type") in ("request", "response"):
            out[msg["name"]] = facts(msg)
    with open(dst, "w") as f:
        json.dump(out, f, separators=(",", ":"), sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
