"""The exceptions of the wasmhpc package.

Every failed call to the head raises :class:`Error` with the gRPC status code
and the head's own message (the head's messages say what to do); a job that
ends other than SUCCEEDED, when a result was asked for, raises
:class:`JobFailed`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import grpc

if TYPE_CHECKING:  # Generated at build time (python/CMakeLists.txt).
    from wasmhpc.v1 import jobs_pb2

# The exit codes the CLI gives jobs that did not succeed
# (client-cli/output_format.h: kExitError, kExitTimedOut, kExitCancelled).
EXIT_ERROR = 1
EXIT_TIMED_OUT = 124
EXIT_CANCELLED = 130


class Error(Exception):
    """A call to the head failed.

    Attributes:
      code: the gRPC status code (``grpc.StatusCode``), e.g.
        ``grpc.StatusCode.UNAUTHENTICATED``; None for a failure on this side
        (a job watch that found the job gone).
      details: the head's message, unchanged.
      action: what was being done ("submit", "upload hello.wasm", ...).
      server: the head's "HOST:PORT".
    """

    def __init__(self, action: str, server: str,
                 code: Optional[grpc.StatusCode], details: str) -> None:
        self.action = action
        self.server = server
        self.code = code
        self.details = details
        super().__init__(self._describe())

    @property
    def code_name(self) -> str:
        """The code's name as gRPC spells it ("NOT_FOUND"), or "" if none."""
        return self.code.name if self.code is not None else ""

    def _describe(self) -> str:
        # The same words as the CLI's FormatRpcError
        # (client-cli/output_format.cc), with the Python names of the knobs.
        details = self.details.replace("\r\n", "; ").replace("\n", "; ")
        code = self.code_name
        if self.code == grpc.StatusCode.UNAVAILABLE:
            return f"cannot reach head at {self.server}: {code}: {details}"
        if self.code == grpc.StatusCode.UNAUTHENTICATED:
            return (f"head at {self.server} refused the request ({code}: "
                    f"{details}); pass token= or token_file=, or set "
                    f"WASMHPC_TOKEN or WASMHPC_TOKEN_FILE")
        if self.code == grpc.StatusCode.DEADLINE_EXCEEDED:
            return (f"head at {self.server} did not answer in time ({code}: "
                    f"{details})")
        if self.code is None:
            return f"{self.action}: {details}"
        return f"{self.action}: head at {self.server} answered {code}: {details}"

    @classmethod
    def from_rpc(cls, action: str, server: str, error: grpc.RpcError) -> "Error":
        """The Error for a failed gRPC call (``grpc.RpcError``)."""
        code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
        details = error.details() if hasattr(error, "details") else str(error)
        return cls(action, server, code, details or "")

    def __reduce__(self):  # Picklable: rebuilt from its fields.
        return (Error, (self.action, self.server, self.code, self.details))


def job_exit_code(job: "jobs_pb2.Job") -> int:
    """The exit code the CLI gives a job (client-cli/output_format.cc
    JobExitCode): 0 for SUCCEEDED, the failing rank's code for FAILED (1 if it
    had none), 124 for TIMED_OUT, 130 for CANCELLED."""
    from wasmhpc.v1 import jobs_pb2
    if job.state == jobs_pb2.SUCCEEDED:
        return 0
    if job.state == jobs_pb2.FAILED:
        return job.exit_code if job.exit_code != 0 else EXIT_ERROR
    if job.state == jobs_pb2.TIMED_OUT:
        return EXIT_TIMED_OUT
    if job.state == jobs_pb2.CANCELLED:
        return EXIT_CANCELLED
    return EXIT_ERROR


def job_end_message(job: "jobs_pb2.Job") -> str:
    """One line saying how a job ended when it did not succeed, as the CLI
    prints it (client-cli/output_format.cc JobEndMessage); "" otherwise."""
    from wasmhpc.v1 import jobs_pb2
    if job.state == jobs_pb2.FAILED:
        what = f"job {job.id} failed"
        if job.failed_rank >= 0:
            what += f" on rank {job.failed_rank}"
        if job.exit_code != 0:
            what += f" (exit code {job.exit_code})"
    elif job.state == jobs_pb2.TIMED_OUT:
        what = f"job {job.id} timed out"
    elif job.state == jobs_pb2.CANCELLED:
        what = f"job {job.id} was cancelled"
    else:
        return ""
    if job.reason:
        what += f": {job.reason}"
    return what


class JobFailed(Error):
    """A job ended FAILED, TIMED_OUT or CANCELLED.

    Attributes (besides Error's; ``code`` is None):
      job_id: the job's id.
      exit_code: as the CLI would exit for it (see :func:`job_exit_code`).
      stdout, stderr: what its ranks wrote, all ranks in arrival order (""
        when the output was not collected, as in Client.wait).
      state: the final state's name ("FAILED", "TIMED_OUT", "CANCELLED").
      reason: the head's words for why.
      job: the final ``wasmhpc.v1.jobs_pb2.Job``.
    """

    def __init__(self, server: str, job: "jobs_pb2.Job", stdout: str = "",
                 stderr: str = "") -> None:
        from wasmhpc.v1 import jobs_pb2
        self.job = job
        self.job_id = job.id
        self.exit_code = job_exit_code(job)
        self.stdout = stdout
        self.stderr = stderr
        self.state = jobs_pb2.JobState.Name(job.state)
        self.reason = job.reason
        super().__init__(f"job {job.id}", server, None, job_end_message(job))

    def _describe(self) -> str:
        return self.details

    def __reduce__(self):  # Picklable (for process pools and workflow tools).
        return (JobFailed, (self.server, self.job, self.stdout, self.stderr))
