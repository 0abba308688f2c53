"""wasmhpc.Client and wasmhpc.Executor against a real head and pool
(cluster.LocalCluster, plaintext, no tokens)."""

import concurrent.futures
import subprocess
import unittest
import uuid
from unittest import mock

import cluster
import grpc
import wasmhpc
from cluster import build_path, wait_until
from wasmhpc.v1 import jobs_pb2

HELLO = build_path("examples", "hello.wasm")
EXIT_CODE = build_path("tests", "run", "exit_code.wasm")
POOL_GUEST = build_path("tests", "pool", "pool_guest.wasm")

head: cluster.LocalCluster


def setUpModule() -> None:
    global head
    head = cluster.LocalCluster().__enter__()


def tearDownModule() -> None:
    head.stop()


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(head.cli(*args), capture_output=True, text=True,
                          timeout=120)


def running_job_with(client: wasmhpc.Client, args: list) -> str:
    """The id of the RUNNING job whose guest args are `args` (waits)."""
    def find():
        for job in client.jobs(states=["RUNNING"]):
            if list(job.spec.args) == args:
                return job.id
        return None
    return wait_until(f"a running job with args {args}", find)


class ClientTest(unittest.TestCase):
    def setUp(self) -> None:
        self.client = wasmhpc.Client(head.server)

    def tearDown(self) -> None:
        self.client.close()

    def test_hello_output_matches_the_cli(self) -> None:
        with open(HELLO, "rb") as f:
            data = f.read()
        digest = self.client.upload(HELLO)
        self.assertEqual(digest, wasmhpc.module_digest(data))
        pushed = cli("modules", "push", HELLO)
        self.assertEqual(pushed.stdout.strip(), digest, pushed.stderr)
        self.assertEqual(self.client.module(digest).name, "hello.wasm")

        job = self.client.submit(HELLO, ranks=3)
        stdout, stderr = [], []
        for rank, stream, text in self.client.logs(job):
            self.assertIn(rank, (0, 1, 2))
            (stdout if stream == "stdout" else stderr).append(text)
        final = self.client.wait(job)
        self.assertEqual(final.state, wasmhpc.SUCCEEDED)
        self.assertEqual(wasmhpc.job_exit_code(final), 0)
        self.assertEqual(sorted("".join(stdout).splitlines()),
                         [f"hello from rank {r} of 3" for r in range(3)])
        logs = cli("logs", job)
        self.assertEqual(logs.returncode, 0, logs.stderr)
        self.assertEqual("".join(stdout), logs.stdout)
        self.assertEqual("".join(stderr), "")

    def test_upload_is_skipped_when_the_head_has_the_module(self) -> None:
        digest = self.client.upload(HELLO)
        with mock.patch.object(self.client._modules, "Upload",
                               side_effect=AssertionError("uploaded again")):
            self.assertEqual(self.client.upload(HELLO), digest)
            with open(HELLO, "rb") as f:
                self.assertEqual(self.client.upload(f.read()), digest)

    def test_logs_resume_from_an_offset(self) -> None:
        job = self.client.submit(POOL_GUEST, ranks=2, args=["flood", "20"])
        self.client.wait(job, timeout=120)
        whole = cli("logs", job).stdout
        rest = "".join(e.text for e in self.client.logs(job, offset=100)
                       if e.stream == "stdout")
        # The log interleaves both streams; offset 100 lies in it, so the
        # stdout after it is a proper suffix of the whole stdout.
        self.assertTrue(whole.endswith(rest), (whole, rest))
        self.assertLess(len(rest), len(whole))
        self.assertIn("rank 1 line 19 of 20", rest)

    def test_env_args_and_stderr(self) -> None:
        job = self.client.submit(POOL_GUEST, ranks=2, args=["env", "COLOR"],
                                 env={"COLOR": "teal"})
        entries = list(self.client.logs(job))
        text = "".join(e.text for e in entries)
        self.assertIn("rank 0: COLOR=teal", text)
        self.assertIn("rank 1: COLOR=teal", text)
        job = self.client.submit(POOL_GUEST, ranks=1, args=["flood", "2"])
        entries = list(self.client.logs(job))
        self.assertIn(wasmhpc.LogEntry(0, "stderr", "rank 0 passed line 0\n"),
                      entries)

    def test_stdin_goes_to_rank_zero(self) -> None:
        job = self.client.submit(POOL_GUEST, ranks=2, args=["stdin"],
                                 stdin="línea uno\nline two\n")
        text = "".join(e.text for e in self.client.logs(job))
        self.assertIn("rank 0 read 20 bytes: línea uno\n", text)
        self.assertIn("rank 1 read 0 bytes: \n", text)

    def test_failed_job_state_and_exit_code(self) -> None:
        job = self.client.submit(EXIT_CODE, ranks=1, args=[7])
        final = self.client.wait(job)
        self.assertEqual(final.state, wasmhpc.FAILED)
        self.assertEqual(wasmhpc.job_exit_code(final), 7)
        self.assertEqual(cli("status", job).returncode, 0)

    def test_cancel_a_running_job(self) -> None:
        job = self.client.submit(POOL_GUEST, ranks=2, args=["spin"])
        for entry in self.client.logs(job):
            if "of 2: spin" in entry.text:
                break
        self.client.cancel(job)
        final = self.client.wait(job, timeout=60)
        self.assertEqual(final.state, wasmhpc.CANCELLED)
        self.assertEqual(wasmhpc.job_exit_code(final), wasmhpc.EXIT_CANCELLED)

    def test_jobs_and_pools(self) -> None:
        job = self.client.submit(HELLO, ranks=1)
        self.client.wait(job)
        self.assertIn(job, [j.id for j in self.client.jobs()])
        self.assertIn(job, [j.id for j in self.client.jobs(states=["SUCCEEDED"])])
        self.assertNotIn(job, [j.id for j in self.client.jobs(states=["FAILED"])])
        pools = self.client.pools()
        self.assertEqual(len(pools), 1)
        self.assertEqual(len(pools[0].ranks), cluster.POOL_RANKS)

    def test_names_labels_and_retried_submits(self) -> None:
        rid = f"py-{uuid.uuid4()}"
        first = self.client.submit(HELLO, ranks=1, name="sweep",
                                   labels={"point": "7"}, request_id=rid)
        again = self.client.submit(HELLO, ranks=1, name="sweep",
                                   labels={"point": "7"}, request_id=rid)
        self.assertEqual(first, again)
        other = self.client.submit(HELLO, ranks=1, name="sweep",
                                   labels={"point": "8"})
        self.client.wait(first)
        self.client.wait(other)
        found = self.client.jobs(name="sweep", labels={"point": "7"})
        self.assertEqual([j.id for j in found], [first])
        newest = self.client.jobs(name="sweep", limit=1)
        self.assertEqual([j.id for j in newest], [other])
        with self.assertRaises(wasmhpc.Error) as refused:
            self.client.submit(HELLO, ranks=2, request_id=rid)
        self.assertEqual(refused.exception.code, grpc.StatusCode.ALREADY_EXISTS)

    def test_priorities_and_dependencies(self) -> None:
        first = self.client.submit(HELLO, ranks=1, priority=5)
        then = self.client.submit(HELLO, ranks=1, priority=-3,
                                  dependencies=[f"afterok:{first}"])
        done = self.client.wait(then)
        self.assertEqual(done.state, wasmhpc.SUCCEEDED)
        self.assertEqual(done.spec.priority, -3)
        self.assertEqual(done.spec.dependencies[0].kind,
                         jobs_pb2.Dependency.AFTER_OK)
        self.assertEqual(done.spec.dependencies[0].job_id, first)
        before = self.client.status(first)
        self.assertEqual(before.spec.priority, 5)
        self.assertGreaterEqual(done.started.ToNanoseconds(),
                                before.finished.ToNanoseconds())
        with self.assertRaises(ValueError):
            self.client.submit(HELLO, ranks=1, dependencies=["later:job-1"])
        with self.assertRaises(wasmhpc.Error) as refused:
            self.client.submit(HELLO, ranks=1, priority=1001)
        self.assertEqual(refused.exception.code,
                         grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("priority must be in -1000..1000",
                      refused.exception.details)

    def test_job_array_tasks_know_their_index(self) -> None:
        ids = self.client.submit_array(POOL_GUEST, "1-5:2%2", ranks=1,
                                       args=["env", "WASMHPC_ARRAY_INDEX"])
        self.assertEqual(len(ids), 3)
        outputs = []
        for job in ids:
            self.assertEqual(self.client.wait(job).state, wasmhpc.SUCCEEDED)
            outputs.append("".join(e.text for e in self.client.logs(job)))
        self.assertEqual(outputs, [f"rank 0 of 1: env\n"
                                   f"rank 0: WASMHPC_ARRAY_INDEX={i}\n"
                                   for i in (1, 3, 5)])
        self.assertEqual(self.client.status(ids[1]).array_id, ids[0])
        with self.assertRaises(ValueError):
            wasmhpc.parse_array("1,2")

    def test_prune_deletes_ended_jobs(self) -> None:
        label = {"prune": str(uuid.uuid4())}
        done = self.client.submit(HELLO, ranks=1, labels=label)
        self.client.wait(done)
        self.assertEqual(self.client.prune(older_than=3600, labels=label), 0)
        self.assertEqual(self.client.prune(labels=label), 1)
        self.assertEqual(self.client.jobs(labels=label), [])
        with self.assertRaises(wasmhpc.Error) as refused:
            self.client.status(done)
        self.assertEqual(refused.exception.code, grpc.StatusCode.NOT_FOUND)

    def test_errors_carry_the_code_and_the_heads_message(self) -> None:
        with self.assertRaises(wasmhpc.Error) as caught:
            self.client.status("job-99999999")
        self.assertEqual(caught.exception.code, grpc.StatusCode.NOT_FOUND)
        self.assertIn("NOT_FOUND", str(caught.exception))
        self.assertIn("job-99999999", caught.exception.details)
        with self.assertRaises(wasmhpc.Error) as caught:
            self.client.submit(HELLO, ranks=9)
        self.assertIn("the largest pool has 4 executor ranks",
                      str(caught.exception))
        self.assertTrue(caught.exception.code_name)
        with self.assertRaises(wasmhpc.Error) as caught:
            wasmhpc.Client("127.0.0.1:1", call_timeout=5).jobs()
        self.assertEqual(caught.exception.code, grpc.StatusCode.UNAVAILABLE)
        self.assertIn("cannot reach head at 127.0.0.1:1", str(caught.exception))
        with self.assertRaises(ValueError):
            self.client.submit(HELLO, ranks=0)
        with self.assertRaises(ValueError):
            wasmhpc.parse_dir("/a:/b:rw")


class ExecutorTest(unittest.TestCase):
    def test_sweep_collects_exit_codes_and_stdout(self) -> None:
        with wasmhpc.Executor(head.server, max_workers=4) as ex:
            hellos = {n: ex.submit(HELLO, ranks=n) for n in (1, 2, 3, 4)}
            codes = {c: ex.submit(EXIT_CODE, c) for c in (0, 3, 5)}
            by_map = list(ex.map(EXIT_CODE, ["0", "0"]))
        for n, future in hellos.items():
            result = future.result()
            self.assertEqual(result.exit_code, 0)
            self.assertEqual(sorted(result.stdout.splitlines()),
                             [f"hello from rank {r} of {n}" for r in range(n)])
            self.assertTrue(result.job_id.startswith("job-"))
        self.assertEqual(codes[0].result().stdout,
                         "argv[0]=exit_code.wasm\nargv[1]=0\n")
        for code in (3, 5):
            with self.assertRaises(wasmhpc.JobFailed) as caught:
                codes[code].result()
            failed = caught.exception
            self.assertEqual(failed.exit_code, code)
            self.assertEqual(failed.state, "FAILED")
            self.assertEqual(failed.stdout,
                             f"argv[0]=exit_code.wasm\nargv[1]={code}\n")
            self.assertIn(f"exit code {code}", str(failed))
        self.assertEqual([r.exit_code for r in by_map], [0, 0])

    def test_timeout_raises_job_failed(self) -> None:
        with wasmhpc.Executor(head.server) as ex:
            future = ex.submit(POOL_GUEST, "spin", ranks=1, timeout=1)
            with self.assertRaises(wasmhpc.JobFailed) as caught:
                future.result(timeout=120)
        self.assertEqual(caught.exception.state, "TIMED_OUT")
        self.assertEqual(caught.exception.exit_code, wasmhpc.EXIT_TIMED_OUT)
        self.assertIn("rank 0 of 1: spin", caught.exception.stdout)

    def test_cancelling_a_future_cancels_its_job(self) -> None:
        client = wasmhpc.Client(head.server)
        with wasmhpc.Executor(client=client) as ex:
            future = ex.submit(POOL_GUEST, "spin", "future", ranks=2)
            job = running_job_with(client, ["spin", "future"])
            self.assertTrue(future.cancel())
            self.assertTrue(future.cancelled())
            final = client.wait(job, timeout=60)
        self.assertEqual(final.state, wasmhpc.CANCELLED)
        client.close()

    def test_shutdown_cancel_futures_cancels_running_and_queued(self) -> None:
        client = wasmhpc.Client(head.server)
        before = {j.id for j in client.jobs()}
        ex = wasmhpc.Executor(client=client, max_workers=1)
        running = ex.submit(POOL_GUEST, "spin", "shutdown", ranks=1)
        queued = ex.submit(POOL_GUEST, "spin", "never", ranks=1)
        job = running_job_with(client, ["spin", "shutdown"])
        ex.shutdown(wait=True, cancel_futures=True)
        self.assertTrue(running.cancelled())
        self.assertTrue(queued.cancelled())
        self.assertEqual(client.wait(job, timeout=60).state, wasmhpc.CANCELLED)
        new = [j for j in client.jobs() if j.id not in before]
        self.assertEqual([j.id for j in new], [job])  # "never" never went.
        with self.assertRaises(RuntimeError):
            ex.submit(HELLO)
        client.close()

    def test_as_completed_and_errors(self) -> None:
        with wasmhpc.Executor(head.server) as ex:
            futures = [ex.submit(HELLO, ranks=1), ex.submit(HELLO, ranks=9)]
            done = list(concurrent.futures.as_completed(futures, timeout=120))
        self.assertEqual(len(done), 2)
        self.assertEqual(futures[0].result().exit_code, 0)
        self.assertIsInstance(futures[1].exception(), wasmhpc.Error)
        self.assertNotIsInstance(futures[1].exception(), wasmhpc.JobFailed)


if __name__ == "__main__":
    cluster.run_tests()
