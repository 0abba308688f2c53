"""wasmhpc.Executor: wasmhpc jobs as a concurrent.futures.Executor.

    import wasmhpc
    with wasmhpc.Executor("127.0.0.1:7070", max_workers=8) as ex:
        futures = [ex.submit("cg.wasm", n, ranks=2) for n in (16, 24, 32)]
        for f in futures:
            print(f.result().stdout)

A future resolves to a JobResult (exit_code, stdout, stderr, job_id) when
its job SUCCEEDED, and raises wasmhpc.JobFailed (the same fields) when it
FAILED, TIMED_OUT or was CANCELLED; wasmhpc.Error when a call failed.

Execution model: submit() returns at once; one of max_workers threads
uploads the module if the head lacks it, submits the job and follows its
output until it ends. So at most max_workers jobs are on the head at once;
the others wait here, in submission order.

Cancelling: a future stays pending (running() is False) until its job has
ended, so cancel() works while the job is queued or running on the head: it
returns True, the future is CANCELLED, and the job is cancelled on the head
(CancelJob). shutdown(cancel_futures=True) does so for every unfinished
future. A future whose job was cancelled by someone else raises JobFailed
(state CANCELLED, exit code 130).

Thread safety: submit, map, shutdown and the futures may be used from any
thread.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import os
import threading
from typing import Any, Dict, List, Optional, Tuple

from wasmhpc.client import (Client, ModuleArg, Timeout, _LogDecoder, is_digest,
                            module_digest)
from wasmhpc.errors import JobFailed
from wasmhpc.v1 import jobs_pb2


@dataclasses.dataclass(frozen=True)
class JobResult:
    """What a job that SUCCEEDED left: its id, exit code (0), and the output
    of all its ranks, each stream in the order the head stored it."""
    job_id: str
    exit_code: int
    stdout: str
    stderr: str
    # The final wasmhpc.v1.jobs_pb2.Job (ranks, times, pool).
    job: Any = dataclasses.field(repr=False, compare=False)


class _Task:
    """One submitted job: its arguments and, once submitted, its id."""

    def __init__(self, future: concurrent.futures.Future, module: ModuleArg,
                 options: Dict[str, Any]) -> None:
        self.future = future
        self.module = module
        self.options = options
        self.lock = threading.Lock()
        self.job_id: Optional[str] = None
        self.watch = None  # The JobWatch following it, once submitted.


class Executor(concurrent.futures.Executor):
    """Runs wasmhpc jobs; see the module's docstring.

    Args:
      server, token, token_file, ca, tls, call_timeout: as wasmhpc.Client
        (defaults from WASMHPC_SERVER, WASMHPC_TOKEN_FILE, WASMHPC_TOKEN,
        WASMHPC_CA).
      max_workers: jobs followed at once (each on its own thread). Default:
        8.
      client: use this Client instead of making one (it is not closed).
    """

    def __init__(self, server: Optional[str] = None, token: Optional[str] = None,
                 token_file: Optional[str] = None, ca: Optional[str] = None,
                 tls: bool = False, max_workers: Optional[int] = None,
                 call_timeout: float = 30.0,
                 client: Optional[Client] = None) -> None:
        if max_workers is not None and max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")
        self._owns_client = client is None
        self.client = client or Client(server, token=token,
                                       token_file=token_file, ca=ca, tls=tls,
                                       call_timeout=call_timeout)
        self._threads = concurrent.futures.ThreadPoolExecutor(
            max_workers=max_workers or 8, thread_name_prefix="wasmhpc-job")
        self._lock = threading.Lock()
        self._tasks: List[_Task] = []
        self._shutdown = False
        # Digests of uploaded files: (path, size, mtime_ns) -> digest.
        self._digests: Dict[Tuple[str, int, int], str] = {}

    def submit(self, module: ModuleArg, /, *guest_args: object,
               ranks: int = 1, args: Tuple[object, ...] = (),
               env: Optional[Dict[str, str]] = None, dirs=(),
               timeout: Timeout = None, memory_limit: Optional[int] = None,
               labels: Optional[Dict[str, str]] = None,
               name: Optional[str] = None, priority: int = 0,
               stdin=None) -> concurrent.futures.Future:
        """Schedules a job; returns a Future of its JobResult.

        Args:
          module: a .wasm path or bytes, or a digest "sha256:...".
          *guest_args, args: the guest's argv after argv[0], given either
            way (positional, so that ``ex.map(module, sizes)`` runs one job
            per size); each passed through str().
          ranks, env, dirs, timeout, memory_limit, labels, name, priority,
            stdin: as Client.submit.
        """
        if guest_args and args:
            raise TypeError("give the guest's arguments positionally or as "
                            "args=, not both")
        options = dict(ranks=ranks, args=tuple(guest_args or args), env=env,
                       dirs=tuple(dirs), timeout=timeout,
                       memory_limit=memory_limit, labels=labels, name=name,
                       priority=priority, stdin=stdin)
        future: concurrent.futures.Future = concurrent.futures.Future()
        task = _Task(future, module, options)
        future.add_done_callback(lambda f: self._on_done(task))
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._tasks.append(task)
            self._threads.submit(self._run, task)
        return future

    def shutdown(self, wait: bool = True, *,
                 cancel_futures: bool = False) -> None:
        """No new jobs; with cancel_futures, every unfinished future is
        cancelled and its job cancelled on the head; with wait, returns once
        every job has ended (or was cancelled) and closes the connection."""
        with self._lock:
            self._shutdown = True
            tasks = list(self._tasks)
        if cancel_futures:
            for task in tasks:
                task.future.cancel()
        self._threads.shutdown(wait=wait)
        if wait and self._owns_client:
            self.client.close()

    # -- internals ----------------------------------------------------------
    def _on_done(self, task: _Task) -> None:
        """A future ended; if the caller cancelled it, stop following its
        job (the worker thread then cancels it on the head)."""
        with self._lock:
            if task in self._tasks:
                self._tasks.remove(task)
        if task.future.cancelled():
            with task.lock:
                watch = task.watch
            if watch is not None:
                watch.stop()

    def _digest(self, module: ModuleArg) -> str:
        """The module's digest, uploading it if the head lacks it (once per
        file version for this Executor)."""
        if is_digest(module):
            return module  # type: ignore[return-value]
        if isinstance(module, (bytes, bytearray, memoryview)):
            digest = module_digest(bytes(module))
            if self.client.module(digest) is None:
                self.client.upload(bytes(module))
            return digest
        path = os.path.abspath(os.fspath(module))
        st = os.stat(path)
        key = (path, st.st_size, st.st_mtime_ns)
        with self._lock:
            digest = self._digests.get(key)
        if digest is None:
            digest = self.client.upload(path)
            with self._lock:
                self._digests[key] = digest
        return digest

    def _run(self, task: _Task) -> None:
        future = task.future
        if future.cancelled():
            return
        try:
            spec = self.client.job_spec(self._digest(task.module),
                                        **task.options)
            if future.cancelled():
                return
            job = self.client.submit_spec(spec)
            watch = self.client.watch(job.id)
            with task.lock:
                task.job_id = job.id
                task.watch = watch
            if future.cancelled():  # Cancelled while being submitted.
                self.client.cancel(job.id)
                return
            result = self._follow(watch)
            if future.cancelled():
                self.client.cancel(job.id)
                return
        except BaseException as e:  # Handed to the caller through the future.
            if future.set_running_or_notify_cancel():
                future.set_exception(e)
            return
        if future.set_running_or_notify_cancel():
            if isinstance(result, JobFailed):
                future.set_exception(result)
            else:
                future.set_result(result)

    def _follow(self, watch) -> Any:
        """Collects the job's output until it ends (or the watch is
        stopped): a JobResult, a JobFailed, or None when stopped."""
        decoder = _LogDecoder()
        out: Dict[str, List[str]] = {"stdout": [], "stderr": []}
        for event in watch:
            if isinstance(event, jobs_pb2.LogChunk):
                entry = decoder.decode(event)
                if entry is not None:
                    out[entry.stream].append(entry.text)
        for entry in decoder.flush():
            out[entry.stream].append(entry.text)
        job = watch.last_job
        if not watch.ended:
            return None
        stdout, stderr = "".join(out["stdout"]), "".join(out["stderr"])
        if job.state != jobs_pb2.SUCCEEDED:
            return JobFailed(self.client.server, job, stdout, stderr)
        return JobResult(job.id, 0, stdout, stderr, job)
