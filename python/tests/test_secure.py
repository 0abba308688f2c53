"""wasmhpc.Client and Executor against a head with --auth-tokens and TLS (a
CA and head certificate made with openssl at test time), and a pool that
attaches with its own token and the CA (issue 15: the Python client takes
--ca and tokens)."""

import os
import subprocess
import tempfile
import unittest

import cluster
import grpc
import wasmhpc
from cluster import TOKENS, build_path
from wasmhpc.settings import Settings

HELLO = build_path("examples", "hello.wasm")

head: cluster.LocalCluster


def setUpModule() -> None:
    global head
    head = cluster.LocalCluster(auth=True, tls=True).__enter__()


def tearDownModule() -> None:
    head.stop()


class SecureTest(unittest.TestCase):
    def test_token_file_and_ca_run_a_job(self) -> None:
        with wasmhpc.Executor(**head.client_kwargs("user")) as ex:
            result = ex.submit(HELLO, ranks=2).result(timeout=120)
        self.assertEqual(sorted(result.stdout.splitlines()),
                         ["hello from rank 0 of 2", "hello from rank 1 of 2"])
        logs = subprocess.run(head.cli("logs", result.job_id),
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(logs.returncode, 0, logs.stderr)
        self.assertEqual(logs.stdout, result.stdout)
        with wasmhpc.Client(head.server, token=TOKENS["user"],
                            ca=head.ca) as client:
            self.assertEqual(client.status(result.job_id).owner, "user")

    def test_a_bad_token_is_refused_with_its_code(self) -> None:
        for token in ("wrong-token-0123456789", None):
            with wasmhpc.Client(head.server, token=token, ca=head.ca) as client:
                with self.assertRaises(wasmhpc.Error) as caught:
                    client.jobs()
            error = caught.exception
            self.assertEqual(error.code, grpc.StatusCode.UNAUTHENTICATED)
            self.assertIn("UNAUTHENTICATED", str(error))
            self.assertIn("token=", str(error))  # What to do.
        with wasmhpc.Executor(head.server, token="wrong-token-0123456789",
                              ca=head.ca) as ex:
            future = ex.submit(HELLO)
            self.assertEqual(future.exception(timeout=60).code,
                             grpc.StatusCode.UNAUTHENTICATED)

    def test_other_users_jobs_are_not_found(self) -> None:
        with wasmhpc.Client(**head.client_kwargs("user")) as alice, \
                wasmhpc.Client(**head.client_kwargs("other")) as bob:
            job = alice.submit(HELLO, ranks=1)
            alice.wait(job)
            with self.assertRaises(wasmhpc.Error) as caught:
                bob.status(job)
            self.assertEqual(caught.exception.code, grpc.StatusCode.NOT_FOUND)
            self.assertNotIn(job, [j.id for j in bob.jobs()])

    def test_tls_needs_the_right_ca(self) -> None:
        other = os.path.join(head.dir, "other-ca.pem")
        with wasmhpc.Client(head.server, token=TOKENS["user"], ca=other,
                            call_timeout=10) as client:
            with self.assertRaises(wasmhpc.Error) as caught:
                client.jobs()
        self.assertEqual(caught.exception.code, grpc.StatusCode.UNAVAILABLE)
        # Plaintext to a TLS head fails too.
        with wasmhpc.Client(head.server, token=TOKENS["user"],
                            call_timeout=10) as client:
            with self.assertRaises(wasmhpc.Error) as caught:
                client.jobs()
        self.assertEqual(caught.exception.code, grpc.StatusCode.UNAVAILABLE)

    def test_environment_as_the_cli_reads_it(self) -> None:
        environ = {"WASMHPC_SERVER": head.server, "WASMHPC_CA": head.ca,
                   "WASMHPC_TOKEN_FILE": head.token_files["user"],
                   "WASMHPC_TOKEN": "ignored: the file wins, as for pools"}
        settings = Settings.resolve(environ=environ)
        self.assertEqual((settings.server, settings.token),
                         (head.server, TOKENS["user"]))
        self.assertEqual(Settings.resolve(
            environ={"WASMHPC_TOKEN": "t"}).token, "t")
        self.assertEqual(Settings.resolve(token="arg", environ=environ).token,
                         "arg")
        saved = dict(os.environ)
        os.environ.update(environ)
        try:
            with wasmhpc.Client() as client:
                self.assertTrue(client.pools())
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def test_bad_token_and_ca_files_say_which(self) -> None:
        with tempfile.NamedTemporaryFile("w") as empty:
            with self.assertRaisesRegex(ValueError, "no token on its first line"):
                wasmhpc.Client(head.server, token_file=empty.name)
            with self.assertRaisesRegex(ValueError, "no PEM certificate"):
                wasmhpc.Client(head.server, ca=empty.name)
        with self.assertRaisesRegex(ValueError, "/nonexistent: cannot open"):
            wasmhpc.Client(head.server, token_file="/nonexistent")
        with self.assertRaisesRegex(ValueError, "not both"):
            wasmhpc.Client(head.server, token="a", token_file="b")


if __name__ == "__main__":
    cluster.run_tests()
