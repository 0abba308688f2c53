"""A real wasmhpc for the Python tests: wasmhpc-head and a pool of
wasmhpc-worker ranks under mpirun (as deploy/local/start.sh starts them),
optionally with bearer tokens (--auth-tokens) and TLS (a CA and a head
certificate made with openssl at test time), in a temporary directory.

Every wait polls a real condition with a deadline. Run as a test through
run_tests(), which exits 77 (skipped) when Debian's grpc packages are absent.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from typing import Callable, List, Optional

BUILD = os.environ.get("WASMHPC_BUILD", "")
POOL_RANKS = 5  # As start.sh: rank 0 controls, 4 run jobs.

# Tokens of --auth-tokens (the head wants 16 characters or more).
TOKENS = {"user": "user-secret-0123456789", "other": "other-secret-0123456789",
          "pool": "pool-secret-0123456789", "admin": "admin-secret-0123456789"}


def build_path(*parts: str) -> str:
    return os.path.join(BUILD, *parts)


def wait_until(what: str, condition: Callable[[], object],
               seconds: float = 60.0, interval: float = 0.05):
    """Polls `condition` until it returns something true; returns that.
    Raises AssertionError naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds}s")
        time.sleep(interval)


def make_certificates(directory: str) -> None:
    """ca.pem (+ca.key), head.pem/head.key for 127.0.0.1 signed by it, and
    other-ca.pem, a CA that signed nothing."""
    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=directory, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for ca in ("ca", "other-ca"):
        openssl("req", "-x509", *ec, "-keyout", f"{ca}.key", "-out",
                f"{ca}.pem", "-days", "1", "-subj", f"/CN=wasmhpc test {ca}")
    openssl("req", *ec, "-keyout", "head.key", "-out", "head.csr", "-subj",
            "/CN=127.0.0.1")
    with open(os.path.join(directory, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", "head.csr", "-CA", "ca.pem", "-CAkey",
            "ca.key", "-CAcreateserial", "-out", "head.pem", "-days", "1",
            "-extfile", "san.ext")


class LocalCluster:
    """A head and one pool. Use as a context manager; `server`, `ca` and the
    token files are set once it has started."""

    def __init__(self, auth: bool = False, tls: bool = False) -> None:
        self.auth = auth
        self.tls = tls
        self.dir = tempfile.mkdtemp(prefix="wasmhpc-py-")
        self.server = ""
        self.ca: Optional[str] = None
        self.token_files = {}
        self._head: Optional[subprocess.Popen] = None
        self._pool: Optional[subprocess.Popen] = None

    def path(self, name: str) -> str:
        return os.path.join(self.dir, name)

    def log(self, name: str) -> str:
        try:
            with open(self.path(name), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def cli(self, *args: str, token: str = "user") -> List[str]:
        """A wasmhpc-cli command line for this head."""
        cmd = [build_path("client-cli", "wasmhpc-cli"), "--server", self.server]
        if self.ca:
            cmd += ["--ca", self.ca]
        if self.auth:
            cmd += ["--token", TOKENS[token]]
        return cmd + list(args)

    def client_kwargs(self, token: str = "user") -> dict:
        """What a Client or Executor of `token`'s role connects with."""
        kwargs = {"server": self.server, "ca": self.ca}
        if self.auth:
            kwargs["token_file"] = self.token_files[token]
        return kwargs

    def __enter__(self) -> "LocalCluster":
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _start(self) -> None:
        head = [build_path("server", "wasmhpc-head"), "--grpc-port", "0",
                "--rest-port", "off", "--host", "127.0.0.1",
                "--data-dir", self.path("data"), "--allow-dir", "/tmp"]
        pool_args = ["--code-key", self.path("data/code.key"),
                     "--allow-dir", "/tmp"]
        if self.auth:
            with open(self.path("tokens"), "w") as f:
                for name, token in TOKENS.items():
                    role = "user" if name == "other" else name
                    f.write(f"{token} {name} {role}\n")
            for name, token in TOKENS.items():
                self.token_files[name] = self.path(f"{name}.token")
                with open(self.token_files[name], "w") as f:
                    f.write(token + "\n")
            head += ["--auth-tokens", self.path("tokens")]
            pool_args += ["--token-file", self.token_files["pool"]]
        if self.tls:
            make_certificates(self.dir)
            self.ca = self.path("ca.pem")
            head += ["--tls-cert", self.path("head.pem"),
                     "--tls-key", self.path("head.key")]
            pool_args += ["--ca", self.ca]
        with open(self.path("head.log"), "w") as log:
            self._head = subprocess.Popen(head, stdout=log,
                                          stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL)
        line = wait_until("the head listening", lambda: self._listening(),
                          seconds=30)
        self.server = "127.0.0.1:" + line.rsplit(":", 1)[1].strip()
        env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1",
                   OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        for var in ("WASMHPC_TOKEN", "WASMHPC_TOKEN_FILE", "WASMHPC_CA"):
            env.pop(var, None)
        with open(self.path("pool.log"), "w") as log:
            self._pool = subprocess.Popen(
                ["mpirun", "--oversubscribe", "--bind-to", "none", "-np",
                 str(POOL_RANKS), build_path("worker", "pool", "wasmhpc-worker"),
                 "--head", self.server, *pool_args],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=env, start_new_session=True)
        import wasmhpc
        admin = wasmhpc.Client(**self.client_kwargs("admin"))
        try:
            wait_until("the pool attaching", lambda: self._pool_ready(admin),
                       seconds=90, interval=0.2)
        except AssertionError as e:
            raise AssertionError(f"{e}; pool.log:\n{self.log('pool.log')[-3000:]}"
                                 f"\nhead.log:\n{self.log('head.log')[-3000:]}")
        finally:
            admin.close()

    def _listening(self) -> Optional[str]:
        if self._head.poll() is not None:
            raise AssertionError("wasmhpc-head exited: " + self.log("head.log"))
        for line in self.log("head.log").splitlines():
            if line.startswith("wasmhpc-head: listening on"):
                return line
        return None

    def _pool_ready(self, admin) -> bool:
        if self._pool.poll() is not None:
            raise AssertionError("the pool exited: " + self.log("pool.log"))
        import wasmhpc
        try:
            pools = admin.pools()
        except wasmhpc.Error:
            return False
        return any(p.free_ranks == POOL_RANKS - 1 for p in pools)

    def stop(self) -> None:
        """Stops the pool (TERM to mpirun's group), then the head; removes
        the directory."""
        for proc, group in ((self._pool, True), (self._head, False)):
            if proc is None or proc.poll() is not None:
                continue
            if group:
                os.killpg(proc.pid, signal.SIGTERM)
            else:
                proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                if group:
                    os.killpg(proc.pid, signal.SIGKILL)
                else:
                    proc.kill()
                proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def run_tests() -> None:
    """unittest.main, or exit 77 (ctest: skipped) when the Debian packages
    the package needs are not installed or the stubs were not generated."""
    try:
        import grpc  # noqa: F401
        import wasmhpc  # noqa: F401
    except ImportError as e:
        print(f"SKIP: {e} (deploy/local/install-deps.sh installs "
              "python3-grpcio, python3-grpc-tools, python3-protobuf)")
        sys.exit(77)
    if not BUILD:
        sys.exit("WASMHPC_BUILD is not set (ctest sets it)")
    unittest.main(verbosity=2)
