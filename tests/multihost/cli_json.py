#!/usr/bin/env python3
"""Reads `wasmhpc-cli --output json` on stdin for multihost_test.sh.

usage: cli_json.py pool-layout NAME  the attached pool NAME as "hosts A,B;
                                     rank 0 A; executors A,B" (distinct,
                                     in rank order); exit 1 if none
       cli_json.py fingerprint NAME  the attached pool NAME's engine
                                     fingerprint; exit 1 if none
       cli_json.py failed NAME       the reason of a POOL_FAILED record
                                     named NAME; exit 1 if none
       cli_json.py job-output DIR    `submit` events: rank R's stdout to
                                     DIR/rank.R/stdout (every rank of the
                                     job, empty when it printed nothing);
                                     prints the job's final state
"""
import base64
import json
import os
import sys


def pools(text):
    """The pools of a ListPoolsResponse; none for anything else (the CLI
    failed and printed nothing)."""
    try:
        return json.loads(text).get("pools", [])
    except ValueError:
        return []


def distinct(values):
    return ",".join(dict.fromkeys(values))


def pool_layout(name):
    for pool in pools(sys.stdin.read()):
        if pool.get("name") != name or pool.get("state") == "POOL_FAILED":
            continue
        ranks = sorted(pool.get("ranks", []), key=lambda r: r.get("rank", 0))
        if not ranks:
            continue
        # The head's own list of hosts where it has one, else the ranks'.
        hosts = distinct(pool.get("hosts") or [r["host"] for r in ranks])
        executors = distinct(r["host"] for r in ranks if r.get("rank", 0))
        print(f"hosts {hosts}; rank 0 {ranks[0]['host']}; "
              f"executors {executors}")
        return 0
    return 1


def fingerprint(name):
    for pool in pools(sys.stdin.read()):
        if pool.get("name") == name and pool.get("state") != "POOL_FAILED":
            print(pool.get("engineFingerprint", ""))
            return 0
    return 1


def failed(name):
    for pool in pools(sys.stdin.read()):
        if pool.get("name") == name and pool.get("state") == "POOL_FAILED":
            print(pool.get("reason", ""))
            return 0
    return 1


def job_output(directory):
    chunks = {}  # rank -> [(offset, bytes)]
    job = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        event = json.loads(line)
        if "job" in event:
            job = event["job"]
        log = event.get("log")
        if log and log.get("stream") == "STDOUT":
            chunks.setdefault(log.get("rank", 0), []).append(
                (int(log.get("offset", 0)), base64.b64decode(log["data"])))
    ranks = job.get("spec", {}).get("ranks", 0)
    for rank in set(range(ranks)) | set(chunks):
        os.makedirs(f"{directory}/rank.{rank}", exist_ok=True)
        with open(f"{directory}/rank.{rank}/stdout", "wb") as f:
            for _, data in sorted(chunks.get(rank, [])):
                f.write(data)
    print(job.get("state", "no job events"))
    return 0


def main(argv):
    commands = {"pool-layout": pool_layout, "fingerprint": fingerprint,
                "failed": failed, "job-output": job_output}
    if len(argv) != 3 or argv[1] not in commands:
        sys.stderr.write(__doc__)
        return 2
    return commands[argv[1]](argv[2])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
