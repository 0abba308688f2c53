#!/usr/bin/env python3
"""Checks deploy/systemd: the unit files and their example env files.

  - each unit has the keys the service needs (Type=notify + WatchdogSec for
    the head, Restart=always + KillSignal=SIGUSR1 for the pool, ...);
  - each ExecStart program is one that `cmake --install` puts in
    /usr/local/bin (installed here into a temporary prefix to see);
  - every variable ExecStart uses has a default (Environment=) or is set in
    the example env file, and the env files set no variable the unit ignores;
  - `systemd-analyze verify` accepts the units (with ExecStart pointing into
    the temporary prefix), when systemd-analyze is installed;
  - a broken unit is rejected (a self-check of the checks).

usage: systemd_units_test.py SOURCE_DIR BUILD_DIR [CMAKE]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

PREFIX = "/usr/local"


def parse_unit(text):
    """{section: {key: [values]}} from systemd's INI syntax (comments,
    backslash continuations, repeated keys)."""
    sections = {}
    current = None
    lines = iter(text.splitlines())
    for line in lines:
        line = line.strip()
        while line.endswith("\\"):
            line = line[:-1].rstrip() + " " + next(lines, "").strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, sep, value = line.partition("=")
        if current is None or not sep:
            raise ValueError("not KEY=VALUE in a section: %r" % line)
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def parse_env_file(text):
    """{name: value} from an EnvironmentFile= (no quotes used here)."""
    env = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        name, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
            raise ValueError("not NAME=VALUE: %r" % line)
        env[name] = value
    return env


def last(unit, section, key):
    values = unit.get(section, {}).get(key)
    return values[-1] if values else None


def seconds(value):
    """'30s', '2min', '30min', '1h', '10' -> seconds; None if unparsable."""
    match = re.fullmatch(r"(\d+)\s*(s|sec|min|m|h)?", value or "")
    if not match:
        return None
    scale = {None: 1, "s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600}
    return int(match.group(1)) * scale[match.group(2)]


def defaults(unit):
    """Variables Environment= sets."""
    names = set()
    for line in unit.get("Service", {}).get("Environment", []):
        names.update(re.findall(r"(?:^|\s)([A-Z_][A-Z0-9_]*)=", line))
    return names


def check_common(name, unit, env_example, problems):
    service = unit.get("Service", {})
    exec_start = last(unit, "Service", "ExecStart")
    if not exec_start:
        problems.append("%s: no ExecStart=" % name)
        return
    program = exec_start.split()[0]
    if not program.startswith(PREFIX + "/bin/"):
        problems.append("%s: ExecStart runs %s, not a program in %s/bin" %
                        (name, program, PREFIX))
    used = set(re.findall(r"\$\{?([A-Z_][A-Z0-9_]*)\}?", exec_start))
    known = defaults(unit) | set(env_example)
    for variable in sorted(used - known):
        problems.append("%s: ExecStart uses $%s, which neither Environment= "
                        "nor the example env file sets" % (name, variable))
    for variable in sorted(set(env_example) - used):
        problems.append("%s: the example env file sets %s, which ExecStart "
                        "does not use" % (name, variable))
    if not service.get("EnvironmentFile"):
        problems.append("%s: no EnvironmentFile=" % name)
    if last(unit, "Service", "User") in (None, "root"):
        problems.append("%s: runs as root (set User=)" % name)
    if last(unit, "Install", "WantedBy") != "multi-user.target":
        problems.append("%s: [Install] WantedBy=multi-user.target missing" %
                        name)


def expect_service(name, unit, key, wanted, problems):
    """Adds a problem unless [Service] key=wanted."""
    value = last(unit, "Service", key)
    if value != wanted:
        problems.append("%s: %s=%s, expected %s" % (name, key, value, wanted))


def check_head(unit, env_example):
    """Problems (strings) with wasmhpc-head.service."""
    name = "wasmhpc-head.service"
    problems = []
    check_common(name, unit, env_example, problems)

    expect_service(name, unit, "Type", "notify", problems)
    expect_service(name, unit, "NotifyAccess", "main", problems)
    expect_service(name, unit, "Restart", "on-failure", problems)
    expect_service(name, unit, "StateDirectory", "wasmhpc", problems)
    watchdog = seconds(last(unit, "Service", "WatchdogSec"))
    if not watchdog:
        problems.append("%s: WatchdogSec= missing or not a duration" % name)
    elif watchdog < 2:
        problems.append("%s: WatchdogSec=%ds is below what a 100 ms loop can "
                        "feed reliably" % (name, watchdog))
    exec_start = last(unit, "Service", "ExecStart") or ""
    if not re.search(r"--data-dir /var/lib/wasmhpc/\S+", exec_start):
        problems.append("%s: --data-dir is not under StateDirectory "
                        "(/var/lib/wasmhpc)" % name)
    if not exec_start.startswith(PREFIX + "/bin/wasmhpc-head "):
        problems.append("%s: ExecStart does not run wasmhpc-head" % name)
    if last(unit, "Service", "MemoryDenyWriteExecute") in ("yes", "true"):
        problems.append("%s: MemoryDenyWriteExecute=yes breaks V8's JIT" %
                        name)
    families = last(unit, "Service", "RestrictAddressFamilies") or ""
    if families and "AF_UNIX" not in families.split():
        problems.append("%s: RestrictAddressFamilies without AF_UNIX blocks "
                        "the notify socket" % name)
    return problems


def check_pool(unit, env_example):
    """Problems (strings) with wasmhpc-pool.service."""
    name = "wasmhpc-pool.service"
    problems = []
    check_common(name, unit, env_example, problems)

    expect_service(name, unit, "Restart", "always", problems)
    # The drain signal goes to the launcher only; SIGKILL to all at the end.
    expect_service(name, unit, "KillSignal", "SIGUSR1", problems)
    expect_service(name, unit, "KillMode", "mixed", problems)
    if not seconds(last(unit, "Service", "RestartSec")):
        problems.append("%s: RestartSec= missing (a lost pool would be "
                        "restarted at once, in a tight loop)" % name)
    if not seconds(last(unit, "Service", "TimeoutStopSec")):
        problems.append("%s: TimeoutStopSec= missing (how long a drain may "
                        "take)" % name)
    if last(unit, "Unit", "StartLimitIntervalSec") != "0":
        problems.append("%s: StartLimitIntervalSec=0 missing (systemd would "
                        "give up restarting a pool whose hosts are down)" %
                        name)
    exec_start = last(unit, "Service", "ExecStart") or ""
    if not re.match(re.escape(PREFIX) + r"/bin/wasmhpc-pool --head \S+",
                    exec_start):
        problems.append("%s: ExecStart does not run wasmhpc-pool --head" %
                        name)
    for required in ("WASMHPC_HEAD", "WASMHPC_MPIRUN_ARGS"):
        if required not in env_example:
            problems.append("%s: the example pool.env lacks %s" %
                            (name, required))
    mpirun_args = env_example.get("WASMHPC_MPIRUN_ARGS", "")
    if "--host" not in mpirun_args.split() and \
            "--hostfile" not in mpirun_args.split():
        problems.append("%s: the example WASMHPC_MPIRUN_ARGS has no fixed "
                        "--host list" % name)
    return problems


def self_check():
    """A broken head unit and a broken pool unit must be rejected."""
    broken_head = parse_unit("""
[Service]
Type=simple
Restart=always
ExecStart=/usr/bin/wasmhpc-head --data-dir /srv/x $UNSET
MemoryDenyWriteExecute=yes
""")
    problems = check_head(broken_head, {"WASMHPC_TYPO": "1"})
    for expected in ("Type=simple, expected notify", "WatchdogSec",
                     "not a program in /usr/local/bin", "$UNSET",
                     "WASMHPC_TYPO", "MemoryDenyWriteExecute",
                     "runs as root", "StateDirectory", "--data-dir"):
        if not any(expected in p for p in problems):
            sys.exit("FAIL: self-check: a broken head unit is not rejected "
                     "for %r; problems: %s" % (expected, problems))
    broken_pool = parse_unit("""
[Service]
Restart=on-failure
KillSignal=SIGTERM
User=wasmhpc
EnvironmentFile=/etc/wasmhpc/pool.env
ExecStart=/usr/local/bin/wasmhpc-pool --head ${WASMHPC_HEAD}
""")
    problems = check_pool(broken_pool, {"WASMHPC_HEAD": "h:7070"})
    for expected in ("Restart=on-failure, expected always",
                     "KillSignal=SIGTERM", "KillMode", "RestartSec",
                     "TimeoutStopSec", "StartLimitIntervalSec",
                     "WASMHPC_MPIRUN_ARGS"):
        if not any(expected in p for p in problems):
            sys.exit("FAIL: self-check: a broken pool unit is not rejected "
                     "for %r; problems: %s" % (expected, problems))


def install(build, cmake, prefix):
    result = subprocess.run([cmake, "--install", build, "--prefix", prefix],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("FAIL: cmake --install: " + result.stdout + result.stderr)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    source, build = sys.argv[1], sys.argv[2]
    cmake = sys.argv[3] if len(sys.argv) == 4 else "cmake"
    self_check()

    units_dir = os.path.join(source, "deploy", "systemd")
    read = lambda name: open(os.path.join(units_dir, name)).read()
    units = {
        "wasmhpc-head.service": (check_head, "head.env"),
        "wasmhpc-pool.service": (check_pool, "pool.env"),
    }
    problems = []
    parsed = {}
    for unit_name, (check, env_name) in units.items():
        try:
            parsed[unit_name] = parse_unit(read(unit_name))
            env = parse_env_file(read(env_name))
        except (OSError, ValueError) as error:
            problems.append("%s: %s" % (unit_name, error))
            continue
        problems += check(parsed[unit_name], env)

    with tempfile.TemporaryDirectory(prefix="systemd_units_test.") as tmp:
        prefix = os.path.join(tmp, "prefix")
        install(build, cmake, prefix)
        for unit_name, unit in parsed.items():
            program = (last(unit, "Service", "ExecStart") or " ").split()[0]
            installed = prefix + program[len(PREFIX):]
            if not os.access(installed, os.X_OK):
                problems.append("%s: ExecStart program %s is not installed "
                                "by cmake --install (no %s)" %
                                (unit_name, program, installed))
        verified = verify(units_dir, list(parsed), prefix, tmp, problems)

    if problems:
        print("FAIL:\n  " + "\n  ".join(problems), file=sys.stderr)
        sys.exit(1)
    print("PASS: %s%s" % (", ".join(parsed), "; systemd-analyze verify "
                          "passed" if verified else ""))


def verify(units_dir, names, prefix, tmp, problems):
    """systemd-analyze verify on copies whose ExecStart points into the
    temporary prefix. False when systemd-analyze is missing."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        print("SKIP: systemd-analyze is not installed (Debian package "
              "systemd); only the key checks ran")
        return False
    copies = []
    for name in names:
        text = open(os.path.join(units_dir, name)).read()
        copy = os.path.join(tmp, name)
        with open(copy, "w") as out:
            out.write(text.replace(PREFIX + "/bin/", prefix + "/bin/"))
        copies.append(copy)
    result = subprocess.run(
        [analyze, "verify", "--man=no", "--generators=no"] + copies,
        capture_output=True, text=True)
    # Warnings (unknown keys, unparsable values) go to stderr and may still
    # exit 0: any output fails the check.
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or output:
        problems.append("systemd-analyze verify (exit %d):\n    %s" % (
            result.returncode, output.replace("\n", "\n    ")))
    return True


if __name__ == "__main__":
    main()
