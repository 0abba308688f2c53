#!/usr/bin/env python3
"""A job through wasmhpc-head's REST API on a real pool, with nothing but
Python's standard library (what curl users see).

usage: rest_smoke.py http://127.0.0.1:PORT BUILD_DIR
Prints 'ok   NAME' or 'FAIL NAME: ...' per check; exits 1 if any failed.
"""
import json
import sys
import urllib.error
import urllib.request

base, build = sys.argv[1], sys.argv[2]
failures = 0


def call(method, path, body=None, content_type=None, timeout=60):
    """(HTTP status, body bytes, headers); HTTP errors are answers too."""
    request = urllib.request.Request(base + path, data=body, method=method)
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def check(name, condition, detail):
    global failures
    if condition:
        print("ok   rest-" + name)
    else:
        print("FAIL rest-%s: %s" % (name, detail))
        failures += 1


status, body, _ = call("GET", "/healthz")
check("healthz", status == 200 and body == b"ok\n", (status, body))

with open(build + "/examples/hello.wasm", "rb") as f:
    hello = f.read()
status, body, headers = call("POST", "/v1/modules?name=hello.wasm&label=via=rest",
                             hello, "application/wasm")
check("upload", status in (200, 201), (status, body))
module = json.loads(body)["module"]
digest = module["digest"]
# The CLI pushed hello.wasm before: the head keeps that upload's metadata.
check("upload-metadata", status == 200 and module["name"] == "hello.wasm"
      and "MPI_Comm_rank" in module["mpiImports"], (status, module))

status, body, _ = call("POST", "/v1/modules", b"not wasm", "application/wasm")
error = json.loads(body)
check("invalid-module", status == 400 and error["status"] == "INVALID_ARGUMENT"
      and "not a WebAssembly module" in error["message"], (status, body))

spec = {"spec": {"moduleDigest": digest, "ranks": 3}}
status, body, headers = call("POST", "/v1/jobs", json.dumps(spec).encode(),
                             "application/json")
check("submit", status == 201, (status, body))
job_id = json.loads(body)["id"]
check("submit-location", headers["Location"] == "/v1/jobs/" + job_id,
      headers["Location"])

# Follows the log (chunked) until the job has ended.
status, log, _ = call("GET", "/v1/jobs/%s/logs?follow=1" % job_id)
check("follow-logs", status == 200 and b"hello from rank 2 of 3" in log,
      (status, log))

status, body, _ = call("GET", "/v1/jobs/" + job_id)
job = json.loads(body)
check("status", status == 200 and job["state"] == "SUCCEEDED"
      and job["exitCode"] == 0, body)

status, tail, _ = call("GET", "/v1/jobs/%s/logs?offset=%d" % (job_id, len(log) - 5))
check("logs-offset", status == 200 and tail == log[-5:], (tail, log[-5:]))

status, body, _ = call("GET", "/v1/jobs/%s/logs?format=events" % job_id)
events = [json.loads(line) for line in body.splitlines()]
# An ended job: the job (final state) first, then its whole log.
check("logs-events", events[0]["job"]["id"] == job_id
      and events[0]["job"]["state"] == "SUCCEEDED"
      and sum(1 for e in events if "log" in e) >= 3, body[:400])

spec["spec"]["ranks"] = 9
status, body, _ = call("POST", "/v1/jobs", json.dumps(spec).encode(),
                       "application/json")
check("too-many-ranks", status == 412 and "the largest pool has 4 executor ranks"
      in json.loads(body)["message"], (status, body))

status, body, _ = call("GET", "/v1/jobs/job-99999999")
check("unknown-job", status == 404 and json.loads(body)["code"] == 5, body)

status, body, _ = call("GET", "/v1/pools")
pools = json.loads(body)["pools"]
check("pools", status == 200 and len(pools) == 1 and len(pools[0]["ranks"]) == 5,
      body)

status, body, _ = call("GET", "/metrics")
text = body.decode()
check("metrics", status == 200 and "\nwasmhpc_pools 1\n" in text
      and 'wasmhpc_jobs_ended_total{state="succeeded"} ' in text
      and 'wasmhpc_http_requests_total{method="POST",route="/v1/jobs",code="201"} 1'
      in text, text)

status, body, _ = call("GET", "/v1/openapi.json")
check("openapi", status == 200 and "/v1/jobs/{id}/logs" in json.loads(body)["paths"],
      status)

print("%d rest checks failed" % failures)
sys.exit(1 if failures else 0)
