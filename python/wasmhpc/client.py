"""wasmhpc.Client: the head's gRPC API (proto/wasmhpc/v1) from Python.

    import wasmhpc
    with wasmhpc.Client("127.0.0.1:7070") as head:
        job = head.submit("build/examples/hello.wasm", ranks=3)
        for rank, stream, text in head.logs(job):
            print(text, end="")
        print(head.wait(job).state)

It does what wasmhpc-cli does (client-cli/head_client.cc, submit_command.cc,
job_follower.cc): a module is uploaded in 1 MiB chunks only when the head
lacks its digest, a followed log resumes from its offset when the stream
breaks, tokens go as "authorization: Bearer" metadata, TLS trusts a CA file.

Thread safety: a Client may be used from several threads at once (one gRPC
channel; each call is independent). Iterators from logs() belong to one
thread.
"""

from __future__ import annotations

import codecs
import datetime
import hashlib
import os
import re
import threading
import time
from typing import (Iterable, Iterator, List, Mapping, NamedTuple, Optional,
                    Sequence, Tuple, Union)

import grpc

from wasmhpc.errors import Error
from wasmhpc.settings import Settings

try:
    from wasmhpc.v1 import (jobs_pb2, jobs_pb2_grpc, modules_pb2,
                            modules_pb2_grpc, pools_pb2, pools_pb2_grpc)
except ImportError as e:  # pragma: no cover - a setup problem, said plainly.
    raise ImportError(
        "wasmhpc: the gRPC stubs (wasmhpc.v1) are missing: they are generated "
        "by the CMake build from proto/ (needs Debian's python3-grpc-tools, "
        "deploy/local/install-deps.sh); use PYTHONPATH=BUILD/python or "
        f"`cmake --install` ({e})") from e

# A digest is "sha256:" and 64 lower-case hex digits
# (cache-store/module_digest.h).
DIGEST_PREFIX = "sha256:"
# Bytes per Upload message: the CLI's (HeadClientOptions::upload_chunk_bytes).
UPLOAD_CHUNK_BYTES = 1 << 20

# Watch statuses after which a new Watch may well succeed
# (client-cli/job_follower.cc IsTransient).
_TRANSIENT = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.INTERNAL,
                        grpc.StatusCode.UNKNOWN, grpc.StatusCode.ABORTED})
# Reconnect knobs of a followed job (client-cli/job_follower.h
# FollowOptions): give up after 60 s without an event; backoff 0.1 s
# doubling to 2 s.
RECONNECT_WINDOW_S = 60.0
_BACKOFF_INITIAL_S = 0.1
_BACKOFF_MAX_S = 2.0

FINAL_STATES = frozenset({jobs_pb2.SUCCEEDED, jobs_pb2.FAILED,
                          jobs_pb2.CANCELLED, jobs_pb2.TIMED_OUT})

ModuleArg = Union[str, "os.PathLike[str]", bytes]
DirArg = Union[str, jobs_pb2.Dir]
DependencyArg = Union[str, jobs_pb2.Dependency]
Timeout = Union[None, float, int, datetime.timedelta]


class LogEntry(NamedTuple):
    """A piece of a job's output: what one rank wrote to one stream.

    ``text`` is decoded as UTF-8 (invalid bytes become U+FFFD; a character
    split between chunks is kept whole); it is not necessarily one line.
    """
    rank: int
    stream: str  # "stdout" or "stderr"
    text: str


def is_digest(module: object) -> bool:
    """True for a module digest ("sha256:" and 64 hex digits)."""
    return (isinstance(module, str) and module.startswith(DIGEST_PREFIX) and
            len(module) == len(DIGEST_PREFIX) + 64)


def module_digest(data: bytes) -> str:
    """The digest the head names `data` by (cache-store/module_digest.h)."""
    return DIGEST_PREFIX + hashlib.sha256(data).hexdigest()


def parse_dir(spec: str, cwd: Optional[str] = None) -> jobs_pb2.Dir:
    """"HOST[:GUEST][:ro]" as wasmhpc-cli's --dir (client-cli/cli_options.cc
    ParseDirSpec): a relative HOST is made absolute against `cwd` (default:
    the working directory; the head and the pool do not share it). Raises
    ValueError for a bad spec."""
    parts = spec.split(":")
    read_only = len(parts) >= 2 and parts[-1] == "ro"
    if read_only:
        parts.pop()
    if len(parts) > 2:
        raise ValueError(f"dirs: {spec}: unknown mode '{parts[-1]}', "
                         "expected HOST[:GUEST][:ro]")
    host = parts[0]
    guest = parts[1] if len(parts) == 2 else parts[0]
    if not host or not guest:
        raise ValueError(f"dirs: {spec}: empty path, expected HOST[:GUEST][:ro]")
    if not host.startswith("/"):
        base = cwd if cwd is not None else os.getcwd()
        host = base if host == "." else os.path.join(base, host)
    while len(guest) > 1 and guest.endswith("/"):
        guest = guest[:-1]
    return jobs_pb2.Dir(host_path=host, guest_path=guest, read_only=read_only)


_DEPENDENCY_KINDS = {
    "after": jobs_pb2.Dependency.AFTER,
    "afterok": jobs_pb2.Dependency.AFTER_OK,
    "afterany": jobs_pb2.Dependency.AFTER_ANY,
    "afternotok": jobs_pb2.Dependency.AFTER_NOT_OK,
}


def parse_dependency(spec: str) -> jobs_pb2.Dependency:
    """"KIND:JOB" with KIND after, afterok, afterany or afternotok (as
    wasmhpc-cli's --after, --afterok...), or "JOB" for afterok:JOB. Raises
    ValueError for another kind or an empty job id."""
    kind, sep, job = spec.partition(":")
    if not sep:
        kind, job = "afterok", spec
    if kind not in _DEPENDENCY_KINDS or not job:
        raise ValueError(f"dependencies: {spec!r}: expected JOB or KIND:JOB, "
                         f"KIND one of {', '.join(_DEPENDENCY_KINDS)}")
    return jobs_pb2.Dependency(kind=_DEPENDENCY_KINDS[kind], job_id=job)


_ARRAY = re.compile(r"(\d+)(?:-(\d+)(?::(\d+))?)?(?:%(\d+))?")


def parse_array(spec: str) -> jobs_pb2.ArraySpec:
    """"FIRST[-LAST[:STEP]][%MAX]" as wasmhpc-cli's --array ("0-99%4",
    "1-9:2", "5"). Raises ValueError otherwise (the head checks the
    bounds)."""
    m = _ARRAY.fullmatch(spec)
    if not m:
        raise ValueError(f"array: {spec!r}: expected FIRST[-LAST[:STEP]][%MAX] "
                         "(0-99%4, 1-9:2, 5)")
    first = int(m.group(1))
    return jobs_pb2.ArraySpec(first=first, last=int(m.group(2) or first),
                              step=int(m.group(3) or 0),
                              max_running=int(m.group(4) or 0))


def _duration(seconds: Timeout) -> Optional[float]:
    if seconds is None:
        return None
    if isinstance(seconds, datetime.timedelta):
        seconds = seconds.total_seconds()
    if seconds < 0:
        raise ValueError(f"timeout: {seconds} is negative")
    return float(seconds)


def job_id(job: Union[str, jobs_pb2.Job]) -> str:
    """A job's id, from an id or a Job message."""
    return job.id if isinstance(job, jobs_pb2.Job) else job


class _LogDecoder:
    """Turns log chunks into LogEntry values, one UTF-8 decoder per rank and
    stream so that a character split across chunks stays whole."""

    def __init__(self) -> None:
        self._decoders: dict = {}

    def decode(self, chunk: jobs_pb2.LogChunk) -> Optional[LogEntry]:
        key = (chunk.rank, chunk.stream)
        decoder = self._decoders.get(key)
        if decoder is None:
            decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
            self._decoders[key] = decoder
        text = decoder.decode(chunk.data)
        if not text:
            return None
        return LogEntry(chunk.rank, _stream_name(chunk.stream), text)

    def flush(self) -> List[LogEntry]:
        """What is left of incomplete characters at the end of the log."""
        left = []
        for (rank, stream), decoder in self._decoders.items():
            text = decoder.decode(b"", final=True)
            if text:
                left.append(LogEntry(rank, _stream_name(stream), text))
        return left


def _stream_name(stream: int) -> str:
    return "stderr" if stream == jobs_pb2.STDERR else "stdout"


class JobWatch:
    """Follows one job through JobService.Watch until it ends, yielding each
    state change (``jobs_pb2.Job``) and each new log chunk
    (``jobs_pb2.LogChunk``, trimmed to the bytes not yet seen) exactly once,
    reconnecting from the last log offset when the stream breaks (as
    wasmhpc-cli's JobFollower: a first Watch that fails raises at once; a
    later transient failure is retried until RECONNECT_WINDOW_S passes
    without an event).

    stop() may be called from any thread; the iteration then ends.
    """

    def __init__(self, client: "Client", job: str, offset: int = 0,
                 states_only: bool = False, no_follow: bool = False,
                 timeout: Optional[float] = None) -> None:
        self._client = client
        self._job = job
        self._offset = offset
        self._states_only = states_only
        self._no_follow = no_follow
        self._deadline = None if timeout is None else time.monotonic() + timeout
        self._lock = threading.Lock()
        self._call = None
        self._stopped = threading.Event()
        self.last_job: Optional[jobs_pb2.Job] = None

    def stop(self) -> None:
        """Ends the iteration soon (thread safe)."""
        self._stopped.set()
        with self._lock:
            if self._call is not None:
                self._call.cancel()

    @property
    def ended(self) -> bool:
        """The job reached a final state and its log was drained."""
        return self.last_job is not None and self.last_job.state in FINAL_STATES

    def _remaining(self) -> Optional[float]:
        if self._deadline is None:
            return None
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"job {self._job} did not end in time")
        return left

    def __iter__(self) -> Iterator[Union[jobs_pb2.Job, jobs_pb2.LogChunk]]:
        had_event = False
        last_event = time.monotonic()
        backoff = _BACKOFF_INITIAL_S
        while not self._stopped.is_set():
            request = jobs_pb2.WatchJobRequest(
                id=self._job, log_offset=self._offset,
                states_only=self._states_only, no_follow=self._no_follow)
            stream_had_event = False
            error: Optional[grpc.RpcError] = None
            with self._lock:
                call = self._client._jobs.Watch(
                    request, metadata=self._client._metadata,
                    timeout=self._remaining())
                self._call = call
            try:
                for event in call:
                    had_event = stream_had_event = True
                    last_event = time.monotonic()
                    backoff = _BACKOFF_INITIAL_S
                    if event.HasField("job"):
                        self.last_job = event.job
                        yield event.job
                    elif event.HasField("log"):
                        fresh = self._accept(event.log)
                        if fresh is not None:
                            yield fresh
            except grpc.RpcError as e:
                error = e
            finally:
                with self._lock:
                    self._call = None
                call.cancel()  # The consumer may have stopped early.
            if self._stopped.is_set() or self.ended:
                return
            code = error.code() if error is not None else grpc.StatusCode.OK
            if code == grpc.StatusCode.DEADLINE_EXCEEDED and \
                    self._deadline is not None:
                raise TimeoutError(f"job {self._job} did not end in time")
            if self._no_follow and stream_had_event and error is None:
                return
            if not had_event:
                if error is not None:
                    raise Error.from_rpc(f"watch job {self._job}",
                                         self._client.server, error)
                raise Error(f"watch job {self._job}", self._client.server,
                            grpc.StatusCode.UNAVAILABLE,
                            "the head ended the watch without events")
            if error is not None and code not in _TRANSIENT:
                raise Error.from_rpc(f"watch job {self._job}",
                                     self._client.server, error)
            if time.monotonic() - last_event > RECONNECT_WINDOW_S:
                if error is not None:
                    raise Error.from_rpc(f"watch job {self._job}",
                                         self._client.server, error)
                raise Error(f"watch job {self._job}", self._client.server,
                            grpc.StatusCode.UNAVAILABLE,
                            "the head ended the watch before the job ended")
            if self._stopped.wait(backoff):
                return
            backoff = min(backoff * 2, _BACKOFF_MAX_S)

    def _accept(self, chunk: jobs_pb2.LogChunk) -> Optional[jobs_pb2.LogChunk]:
        """The part of `chunk` past the cursor (client-cli LogCursor)."""
        end = chunk.offset + len(chunk.data)
        if end <= self._offset:
            return None  # Already seen.
        data = chunk.data
        if chunk.offset < self._offset:
            data = data[self._offset - chunk.offset:]
        self._offset = end
        return jobs_pb2.LogChunk(offset=end - len(data), rank=chunk.rank,
                                 stream=chunk.stream, data=data)

    @property
    def offset(self) -> int:
        """The log offset up to which chunks were yielded."""
        return self._offset


class Client:
    """A connection to a wasmhpc head (gRPC).

    Args:
      server: "HOST:PORT" of the head's gRPC port. Default: $WASMHPC_SERVER,
        else "127.0.0.1:7070" (as wasmhpc-cli).
      token: bearer token (or JWT) for a head started with --auth-tokens
        or --jwt-key.
      token_file: a file whose first line is the token (keeps it out of
        ``ps`` and of scripts). Default for both: $WASMHPC_TOKEN_FILE, else
        $WASMHPC_TOKEN, else none.
      ca: PEM file of the CA certificates to trust: speak TLS (as the CLI's
        --ca). Default: $WASMHPC_CA.
      tls: speak TLS trusting the system's root certificates (as --tls).
      call_timeout: seconds each unary call may take (uploads and watches
        have none). Default 30, as the CLI.

    Every failed call raises wasmhpc.Error (gRPC code and the head's
    message); bad arguments raise ValueError, unreadable files OSError.
    """

    def __init__(self, server: Optional[str] = None, token: Optional[str] = None,
                 token_file: Optional[str] = None, ca: Optional[str] = None,
                 tls: bool = False, call_timeout: float = 30.0) -> None:
        self._settings = Settings.resolve(server=server, token=token,
                                          token_file=token_file, ca=ca, tls=tls)
        self.server = self._settings.server
        self._call_timeout = call_timeout
        self._metadata: Tuple[Tuple[str, str], ...] = self._settings.metadata()
        self._channel = self._settings.channel()
        self._modules = modules_pb2_grpc.ModuleServiceStub(self._channel)
        self._jobs = jobs_pb2_grpc.JobServiceStub(self._channel)
        self._pools = pools_pb2_grpc.PoolServiceStub(self._channel)

    # -- lifetime ---------------------------------------------------------
    def close(self) -> None:
        """Closes the channel; calls in progress fail."""
        self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _unary(self, action: str, method, request):
        try:
            return method(request, metadata=self._metadata,
                          timeout=self._call_timeout)
        except grpc.RpcError as e:
            raise Error.from_rpc(action, self.server, e) from None

    # -- modules ------------------------------------------------------------
    def module(self, digest: str) -> Optional[modules_pb2.Module]:
        """The stored module with `digest`, or None if the head lacks it."""
        try:
            return self._modules.Get(modules_pb2.GetModuleRequest(digest=digest),
                                     metadata=self._metadata,
                                     timeout=self._call_timeout)
        except grpc.RpcError as e:
            if e.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise Error.from_rpc("module lookup", self.server, e) from None

    def upload(self, module: ModuleArg, name: Optional[str] = None,
               labels: Optional[Mapping[str, str]] = None) -> str:
        """Stores a module on the head unless it has it already; returns its
        digest ("sha256:...").

        Args:
          module: a .wasm file's path, or the module's bytes.
          name: what to call it (the guest's argv[0]). Default: the file's
            base name; for bytes, none (the head then uses the digest).
          labels: informational key/values stored with it.
        """
        if isinstance(module, (bytes, bytearray, memoryview)):
            data = bytes(module)
        else:
            path = os.fspath(module)
            with open(path, "rb") as f:
                data = f.read()
            if name is None:
                name = os.path.basename(path)
        digest = module_digest(data)
        if self.module(digest) is not None:
            return digest
        header = modules_pb2.UploadModuleRequest.Header(
            name=name or "", size_bytes=len(data), expected_digest=digest,
            labels=dict(labels or {}))

        def requests() -> Iterator[modules_pb2.UploadModuleRequest]:
            yield modules_pb2.UploadModuleRequest(header=header)
            for start in range(0, len(data), UPLOAD_CHUNK_BYTES):
                yield modules_pb2.UploadModuleRequest(
                    chunk=data[start:start + UPLOAD_CHUNK_BYTES])

        try:  # No deadline: big modules take a while (as the CLI).
            response = self._modules.Upload(requests(), metadata=self._metadata)
        except grpc.RpcError as e:
            raise Error.from_rpc(f"upload {name or digest}", self.server,
                                 e) from None
        return response.module.digest

    # -- jobs ---------------------------------------------------------------
    def job_spec(self, module: ModuleArg, ranks: int = 1,
                 args: Sequence[object] = (),
                 env: Optional[Mapping[str, str]] = None,
                 dirs: Iterable[DirArg] = (), timeout: Timeout = None,
                 memory_limit: Optional[int] = None,
                 labels: Optional[Mapping[str, str]] = None,
                 name: Optional[str] = None, priority: int = 0,
                 dependencies: Iterable[DependencyArg] = (),
                 stdin: Union[None, str, bytes] = None
                 ) -> jobs_pb2.JobSpec:
        """The JobSpec submit() sends (uploading the module if needed); see
        submit() for the arguments."""
        if isinstance(ranks, bool) or not isinstance(ranks, int) or ranks <= 0:
            raise ValueError(f"ranks: {ranks!r}: expected a positive integer")
        if isinstance(priority, bool) or not isinstance(priority, int):
            raise ValueError(f"priority: {priority!r}: expected an integer")
        deps = [d if isinstance(d, jobs_pb2.Dependency) else parse_dependency(d)
                for d in dependencies]
        digest = module if is_digest(module) else self.upload(module)
        spec = jobs_pb2.JobSpec(module_digest=digest, ranks=ranks,
                                args=[str(a) for a in args],
                                env={str(k): str(v) for k, v in
                                     (env or {}).items()},
                                labels=dict(labels or {}),
                                name=name or "", priority=priority,
                                dependencies=deps,
                                stdin=(stdin.encode() if isinstance(stdin, str)
                                       else stdin or b""))
        for d in dirs:
            spec.dirs.append(d if isinstance(d, jobs_pb2.Dir) else parse_dir(d))
        seconds = _duration(timeout)
        if seconds:
            spec.timeout.FromTimedelta(datetime.timedelta(seconds=seconds))
        if memory_limit:
            spec.memory_limit_bytes = int(memory_limit)
        return spec

    def submit(self, module: ModuleArg, ranks: int = 1,
               args: Sequence[object] = (),
               env: Optional[Mapping[str, str]] = None,
               dirs: Iterable[DirArg] = (), timeout: Timeout = None,
               memory_limit: Optional[int] = None,
               labels: Optional[Mapping[str, str]] = None,
               name: Optional[str] = None, priority: int = 0,
               dependencies: Iterable[DependencyArg] = (),
               stdin: Union[None, str, bytes] = None,
               request_id: Optional[str] = None) -> str:
        """Submits a job and returns its id; does not wait for it.

        Args:
          module: a .wasm path or bytes (uploaded if the head lacks them), or
            a digest "sha256:..." of a stored module.
          ranks: how many MPI ranks.
          args: the guest's argv after argv[0] (each passed through str()).
          env: the guest's environment.
          dirs: host directories to preopen: "HOST[:GUEST][:ro]" as the
            CLI's --dir (relative HOST: against the working directory), or
            wasmhpc.v1.jobs_pb2.Dir messages. The head must allow them
            (--allow-dir).
          timeout: seconds (or a timedelta) after which the head stops the
            job (TIMED_OUT); None or 0: no limit.
          memory_limit: bytes of linear memory per rank; None: the pool's
            default.
          labels: key/values stored with the job, to find it by (jobs()).
          name: a name to find the job by (jobs()); not unique.
          priority: queue order, higher first, -1000..1000 (default 0);
            users may ask up to the head's --max-user-priority (default 0),
            admins up to 1000.
          dependencies: jobs this one waits for, as the CLI's flags:
            "afterok:JOB" (or just "JOB"), "after:JOB", "afterany:JOB",
            "afternotok:JOB", or wasmhpc.v1.jobs_pb2.Dependency messages.
          stdin: the job's input (bytes, or a str sent as UTF-8): rank 0
            reads it, the other ranks end of file. At most 256 KiB with the
            rest of the spec.
          request_id: makes a retry safe: a submit with the request_id of an
            earlier submit (same caller) returns that job and starts nothing
            new. At most 128 characters of A-Z a-z 0-9 . _ : - (a uuid4).
        """
        spec = self.job_spec(module, ranks=ranks, args=args, env=env,
                             dirs=dirs, timeout=timeout,
                             memory_limit=memory_limit, labels=labels,
                             name=name, priority=priority,
                             dependencies=dependencies, stdin=stdin)
        return self.submit_spec(spec, request_id=request_id).id

    def submit_array(self, module: ModuleArg, indices: str, ranks: int = 1,
                     **options: object) -> List[str]:
        """Submits a job array, one job (task) per index, as `wasmhpc-cli
        submit --array`: `indices` is "FIRST[-LAST[:STEP]][%MAX]" ("0-99%4":
        100 tasks, at most 4 running at once). Each task's guest reads its
        index from WASMHPC_ARRAY_INDEX. Other arguments as submit().
        Returns the tasks' ids in index order (jobs(array_id=ids[0]) lists
        them)."""
        request_id = options.pop("request_id", None)
        spec = self.job_spec(module, ranks=ranks, **options)
        spec.array.CopyFrom(parse_array(indices))
        first = self.submit_spec(spec, request_id=request_id)
        return [j.id for j in self.jobs(array_id=first.array_id,
                                        oldest_first=True)]

    def submit_spec(self, spec: jobs_pb2.JobSpec,
                    request_id: Optional[str] = None) -> jobs_pb2.Job:
        """Submits a ready JobSpec; returns the Job as the head accepted it
        (see submit() for request_id)."""
        return self._unary("submit", self._jobs.Submit,
                           jobs_pb2.SubmitJobRequest(
                               spec=spec, request_id=request_id or ""))

    def status(self, job: Union[str, jobs_pb2.Job]) -> jobs_pb2.Job:
        """The job as it is now (``state``, ``exit_code``, ``reason``,
        ``ranks``...)."""
        return self._unary("status", self._jobs.Get,
                           jobs_pb2.GetJobRequest(id=job_id(job)))

    def cancel(self, job: Union[str, jobs_pb2.Job],
               array: bool = False) -> jobs_pb2.Job:
        """Cancels a job (idempotent; an ended job is left as it is) and
        returns it; with `array`, every task of the job array it is a task
        of. The cancel takes effect asynchronously: wait() for the final
        state."""
        return self._unary("cancel", self._jobs.Cancel,
                           jobs_pb2.CancelJobRequest(id=job_id(job),
                                                     array=array))

    def prune(self, older_than: Timeout = None, name: Optional[str] = None,
              labels: Optional[Mapping[str, str]] = None) -> int:
        """Deletes your ended jobs (an admin's: everyone's) and their logs
        now, as `wasmhpc-cli jobs prune`; returns how many. Only jobs that
        ended at least `older_than` seconds (or a timedelta) ago, of this
        `name`, with all of these `labels`; jobs not ended stay."""
        request = jobs_pb2.PruneJobsRequest(name=name or "",
                                            labels=dict(labels or {}))
        seconds = _duration(older_than)
        if seconds:
            request.older_than.FromTimedelta(
                datetime.timedelta(seconds=seconds))
        return self._unary("prune", self._jobs.Prune, request).deleted

    def jobs(self, states: Iterable[Union[int, str]] = (),
             name: Optional[str] = None,
             labels: Optional[Mapping[str, str]] = None,
             limit: Optional[int] = None,
             oldest_first: bool = False,
             array_id: Optional[str] = None) -> List[jobs_pb2.Job]:
        """The jobs the caller may see, newest first (all pages, or the first
        `limit`), optionally only those in `states` (JobState values or names
        such as "RUNNING"), of `name`, with all of `labels`, and the tasks of
        the job array `array_id`."""
        wanted = [jobs_pb2.JobState.Value(s.upper()) if isinstance(s, str)
                  else s for s in states]
        request = jobs_pb2.ListJobsRequest(states=wanted, name=name or "",
                                           labels=dict(labels or {}),
                                           oldest_first=oldest_first,
                                           array_id=array_id or "")
        found: List[jobs_pb2.Job] = []
        while limit is None or len(found) < limit:
            if limit is not None:
                request.page_size = min(limit - len(found), 1000)
            page = self._unary("jobs", self._jobs.List, request)
            found.extend(page.jobs)
            if not page.next_page_token:
                break
            request.page_token = page.next_page_token
        return found

    def watch(self, job: Union[str, jobs_pb2.Job], offset: int = 0,
              states_only: bool = False, no_follow: bool = False,
              timeout: Timeout = None) -> JobWatch:
        """A JobWatch: the job's state changes and log chunks (raw), with
        reconnects. For output as text use logs(); to wait, wait()."""
        return JobWatch(self, job_id(job), offset=offset,
                        states_only=states_only, no_follow=no_follow,
                        timeout=_duration(timeout))

    def logs(self, job: Union[str, jobs_pb2.Job], follow: bool = True,
             offset: int = 0) -> Iterator[LogEntry]:
        """The job's output as (rank, stream, text) entries in the order the
        head stored it, from log byte `offset`. With follow (default) it
        goes on until the job has ended, resuming from its offset when the
        connection breaks; without, it ends after the output so far."""
        decoder = _LogDecoder()
        for event in self.watch(job, offset=offset, no_follow=not follow):
            if isinstance(event, jobs_pb2.LogChunk):
                entry = decoder.decode(event)
                if entry is not None:
                    yield entry
        yield from decoder.flush()

    def wait(self, job: Union[str, jobs_pb2.Job],
             timeout: Timeout = None) -> jobs_pb2.Job:
        """Waits until the job has ended and returns it (any final state;
        see wasmhpc.job_exit_code). Raises TimeoutError after `timeout`
        seconds."""
        watch = self.watch(job, states_only=True, timeout=timeout)
        for _ in watch:
            pass
        if watch.last_job is None:  # Only a stop() ends it so.
            raise Error(f"wait for job {job_id(job)}", self.server, None,
                        "the watch ended before the job did")
        return watch.last_job

    # -- pools --------------------------------------------------------------
    def pools(self) -> List[pools_pb2.Pool]:
        """The attached pools (and recent failed launches): state, ranks,
        free_ranks, busy_ranks, hosts..."""
        return list(self._unary("pools", self._pools.List,
                                pools_pb2.ListPoolsRequest()).pools)
