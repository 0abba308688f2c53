"""Where the head is and how to reach it: server, token and TLS, from the
arguments or, as wasmhpc-cli and wasmhpc-worker read them, the environment.

Arguments win over the environment. The variables are the CLI's
(client-cli/cli_options.h: WASMHPC_SERVER, WASMHPC_TOKEN, WASMHPC_CA) and the
pool's token file (worker/pool/worker_options.cc: WASMHPC_TOKEN_FILE, the
file's first line; it wins over WASMHPC_TOKEN there too).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Mapping, Optional, Tuple

import grpc

ENV_SERVER = "WASMHPC_SERVER"
ENV_TOKEN = "WASMHPC_TOKEN"
ENV_TOKEN_FILE = "WASMHPC_TOKEN_FILE"
ENV_CA = "WASMHPC_CA"
# wasmhpc-cli's default --server (client-cli/cli_options.h).
DEFAULT_SERVER = "127.0.0.1:7070"


def read_token_file(path: str, what: str = "token_file") -> str:
    """The token on the first line of `path` (surrounding blanks dropped).
    Raises ValueError naming the file when it cannot be read or has no
    token."""
    try:
        with open(path, encoding="utf-8") as f:
            line = f.readline().strip()
    except OSError as e:
        raise ValueError(f"{what} {path}: cannot open it ({e.strerror})") from e
    if not line:
        raise ValueError(f"{what} {path}: no token on its first line")
    return line


def read_ca_file(path: str, what: str = "ca") -> bytes:
    """The PEM certificates in `path`. Raises ValueError naming the file
    when it cannot be read or holds no PEM certificate."""
    try:
        with open(path, "rb") as f:
            pem = f.read()
    except OSError as e:
        raise ValueError(f"{what} {path}: cannot read it ({e.strerror})") from e
    if b"-----BEGIN CERTIFICATE-----" not in pem:
        raise ValueError(f"{what} {path}: no PEM certificate in it")
    return pem


@dataclasses.dataclass(frozen=True)
class Settings:
    """A resolved connection: what Client and Executor connect with."""
    server: str
    token: str = ""
    # PEM CA certificates to trust (TLS), or None.
    ca_pem: Optional[bytes] = None
    # TLS with the system's roots (when ca_pem is None).
    tls: bool = False

    @classmethod
    def resolve(cls, server: Optional[str] = None, token: Optional[str] = None,
                token_file: Optional[str] = None, ca: Optional[str] = None,
                tls: bool = False,
                environ: Optional[Mapping[str, str]] = None) -> "Settings":
        """Arguments first, then `environ` (default: os.environ)."""
        env = os.environ if environ is None else environ
        if token is not None and token_file is not None:
            raise ValueError("pass token= or token_file=, not both")
        if token is None:
            if token_file is not None:
                token = read_token_file(token_file)
            elif env.get(ENV_TOKEN_FILE):
                token = read_token_file(env[ENV_TOKEN_FILE], ENV_TOKEN_FILE)
            else:
                token = env.get(ENV_TOKEN, "")
        ca = ca if ca is not None else env.get(ENV_CA) or None
        return cls(server=server or env.get(ENV_SERVER) or DEFAULT_SERVER,
                   token=token,
                   ca_pem=read_ca_file(ca) if ca else None, tls=tls)

    def metadata(self) -> Tuple[Tuple[str, str], ...]:
        """gRPC metadata of every call: the bearer token, if any."""
        if not self.token:
            return ()
        return (("authorization", f"Bearer {self.token}"),)

    def channel(self) -> grpc.Channel:
        """A new channel to the head (connects at the first call)."""
        if self.ca_pem is not None or self.tls:
            credentials = grpc.ssl_channel_credentials(
                root_certificates=self.ca_pem)
            return grpc.secure_channel(self.server, credentials)
        return grpc.insecure_channel(self.server)
