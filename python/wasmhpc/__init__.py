"""wasmhpc: run WebAssembly MPI jobs on a wasmhpc head from Python.

    import wasmhpc

    # One job, step by step (what `wasmhpc-cli submit` does).
    with wasmhpc.Client("127.0.0.1:7070") as head:
        job = head.submit("hello.wasm", ranks=3)
        for rank, stream, text in head.logs(job):
            print(text, end="")

    # Many jobs as futures (concurrent.futures).
    with wasmhpc.Executor("127.0.0.1:7070") as ex:
        results = list(ex.map("cg.wasm", [16, 24, 32]))

Connection defaults come from WASMHPC_SERVER, WASMHPC_TOKEN_FILE,
WASMHPC_TOKEN and WASMHPC_CA, as for wasmhpc-cli (wasmhpc.settings).
The gRPC messages are wasmhpc.v1.*_pb2, generated from proto/wasmhpc/v1 by
the build.
"""

from wasmhpc.client import (DIGEST_PREFIX, UPLOAD_CHUNK_BYTES, Client, JobWatch,
                            LogEntry, is_digest, module_digest, parse_array,
                            parse_dependency, parse_dir)
from wasmhpc.errors import (EXIT_CANCELLED, EXIT_ERROR, EXIT_TIMED_OUT, Error,
                            JobFailed, job_end_message, job_exit_code)
from wasmhpc.executor import Executor, JobResult
from wasmhpc.v1.jobs_pb2 import (CANCELLED, FAILED, QUEUED, RUNNING, STARTING,
                                 SUCCEEDED, TIMED_OUT, JobState)

__all__ = [
    "Client", "Executor", "JobResult", "JobWatch", "LogEntry", "Error",
    "JobFailed", "job_exit_code", "job_end_message", "is_digest",
    "module_digest", "parse_array", "parse_dependency", "parse_dir",
    "DIGEST_PREFIX",
    "UPLOAD_CHUNK_BYTES",
    "EXIT_ERROR", "EXIT_TIMED_OUT", "EXIT_CANCELLED", "JobState", "QUEUED",
    "STARTING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT",
]
