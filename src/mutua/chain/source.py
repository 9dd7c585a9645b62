"""The contracts' Vyper sources and their compilation.

Contracts compile from source, never from committed bytecode, with the Vyper compiler pinned in
`pyproject.toml`; snekmate's modules are found on the Python path, where its package installs its
`.vy` files. Nothing is downloaded: titanoboa is told not to fetch another compiler through vvm,
so a source whose version pragma the installed compiler does not satisfy fails to compile instead.

Both gateways compile through this module: `contract_deployer` gives titanoboa's deployer (the
in-process EVM), `contract_compile` gives the ABI and init bytecode a real network needs. Each is
computed once per process.
"""

import functools
import json
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"


class Contract(StrEnum):
    ART_EDITION = "art_edition"
    ROYALTY_SPLITTER = "royalty_splitter"


@dataclass(frozen=True)
class CompiledContract:
    name: str
    abi: list[dict[str, Any]]
    bytecode: bytes  # init code, constructor arguments to be appended ABI-encoded


def contract_path(contract: Contract) -> Path:
    return CONTRACTS_DIR / f"{contract.value}.vy"


@functools.cache
def contract_compile(contract: Contract) -> CompiledContract:
    """Compiles with vyper itself, for `Web3Gateway`; the search path is the CLI's: `sys.path`."""
    from vyper import compile_code
    from vyper.compiler.input_bundle import FilesystemInputBundle

    path = contract_path(contract)
    search_paths = [path.parent, *(Path(p) for p in reversed(sys.path))]
    out = compile_code(
        path.read_text(),
        contract_path=path,
        input_bundle=FilesystemInputBundle(search_paths),
        output_formats=["abi", "bytecode"],
    )
    abi = out["abi"]
    if isinstance(abi, str):
        abi = json.loads(abi)
    return CompiledContract(
        name=contract.value, abi=abi, bytecode=bytes.fromhex(out["bytecode"].removeprefix("0x"))
    )


@functools.cache
def contract_deployer(contract: Contract) -> Any:
    """titanoboa's deployer for `contract` (untyped: titanoboa ships no type information)."""
    return source_deployer(contract_path(contract))


def source_deployer(path: Path) -> Any:
    """titanoboa's deployer for any Vyper file, without vvm (no compiler download)."""
    import boa

    return boa.loads_partial(path.read_text(), name=path.stem, filename=str(path), no_vvm=True)
