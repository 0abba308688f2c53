#!/usr/bin/env python3
"""Checks wasmhpc-head's OpenAPI document against the head that serves it,
with Debian's python3-jsonschema: every $ref resolves, every schema is a valid
JSON Schema, and what the head answers on the documented routes conforms to
the documented response, with no field the document does not name (a field
missing from the document fails here).

usage: openapi_check.py http://127.0.0.1:PORT
Run it against a head that has run a job (tests/service/cluster_test.sh).
Prints 'ok   NAME' or 'FAIL NAME: ...' per check; exits 1 if any failed.
"""
import json
import re
import sys
import urllib.error
import urllib.request

import jsonschema

base = sys.argv[1]
failures = 0


def check(name, problem):
    """A check passed when `problem` is empty."""
    global failures
    if problem:
        print("FAIL openapi-%s: %s" % (name, problem))
        failures += 1
    else:
        print("ok   openapi-" + name)


def call(method, path, body=None):
    request = urllib.request.Request(base + path, data=body, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


status, body = call("GET", "/v1/openapi.json")
doc = json.loads(body)


def resolve(node, seen=()):
    """`node` with every $ref replaced by its target; objects that list
    properties allow no others (the document must name every field)."""
    if isinstance(node, list):
        return [resolve(item, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            raise ValueError("unresolvable or cyclic $ref " + ref)
        target = doc
        for part in ref[2:].split("/"):
            if part not in target:
                raise ValueError("$ref to nothing: " + ref)
            target = target[part]
        return resolve(target, seen + (ref,))
    out = {key: resolve(value, seen) for key, value in node.items()}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


try:
    resolved = resolve(doc)
    problem = ""
except ValueError as error:
    resolved, problem = None, str(error)
check("refs-resolve", problem)
if resolved is None:
    sys.exit(1)

bad = []
for name, schema in resolved["components"]["schemas"].items():
    try:
        jsonschema.Draft4Validator.check_schema(schema)
    except jsonschema.SchemaError as error:
        bad.append("%s: %s" % (name, error.message))
check("schemas-valid", "; ".join(bad))


def operation(method, path):
    """The documented operation whose path template matches `path`."""
    for template, item in resolved["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path.split("?")[0]) and method.lower() in item:
            return item[method.lower()]
    return None


def conforms(name, method, path, body=None):
    """Calls the route and checks the answer against its documented
    response; returns the parsed answer."""
    status, answer = call(method, path, body)
    op = operation(method, path)
    if op is None:
        check(name, "%s %s is not documented" % (method, path))
        return None
    response = op["responses"].get(str(status))
    if response is None:
        check(name, "%s %s answered %d, not a documented status"
              % (method, path, status))
        return None
    schema = response.get("content", {}).get("application/json", {}).get(
        "schema")
    if schema is None:
        check(name, "%s %s %d has no JSON schema" % (method, path, status))
        return None
    parsed = json.loads(answer)
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(parsed),
                    key=lambda e: list(e.path))
    check(name, "; ".join("%s at %s" % (e.message, "/".join(map(str, e.path)))
                          for e in errors[:5]))
    return parsed


modules = conforms("list-modules", "GET", "/v1/modules")
if modules and modules.get("modules"):
    conforms("get-module", "GET", "/v1/modules/" + modules["modules"][0]["digest"])
jobs = conforms("list-jobs", "GET", "/v1/jobs")
if jobs and jobs.get("jobs"):
    conforms("get-job", "GET", "/v1/jobs/" + jobs["jobs"][0]["id"])
conforms("list-jobs-filtered", "GET",
         "/v1/jobs?state=SUCCEEDED&oldest_first=true&page_size=2")
conforms("list-pools", "GET", "/v1/pools")
conforms("unknown-job", "GET", "/v1/jobs/job-99999999")
conforms("bad-submit", "POST", "/v1/jobs", b'{"spec": {"ranks": 0}}')
conforms("unknown-pool", "POST", "/v1/pools/pool-none/drain", b"{}")

print("%d openapi checks failed" % failures)
sys.exit(1 if failures else 0)
