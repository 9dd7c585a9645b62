"""The IPFS content identifier of an artwork photo, computed offline, as `ipfs add` would give it.

Pure functions, no Django, no IPFS node and no dependency: the art app records each photo's SHA-256
and CIDv1 when the photo is stored, so the photo can be pinned anywhere later and anyone holding the
file can check it against the record.

`cid_v1(data)` is the CID that kubo's `ipfs add --cid-version=1` prints with its other defaults:

- the file is cut into chunks of 262,144 bytes (`size-262144`); every chunk is a `raw` (0x55)
  block of the file's bytes (CIDv1 turns on raw leaves);
- a file of one chunk (up to 262,144 bytes, the empty file included) is that raw block alone:
  its CID is `b` + base32(0x01 0x55 0x12 0x20 + sha256(data)), so it embeds the file's SHA-256;
- a longer file gets a balanced tree of `dag-pb` (0x70) parent nodes of at most 174 links each:
  chunks are grouped 174 to a parent, parents 174 to a grandparent, and so on until one root is
  left (the same tree boxo's `balanced` layout builds, since every subtree but the last is full);
- hashes are sha2-256; the text form is multibase base32, lower case, unpadded (prefix `b`).

The CID of a file over one chunk depends on these parameters as much as on the bytes: a node set
to other ones (kubo's newer import profiles use 1 MiB chunks and 1,024 links) gives another CID
for the same photo, so the record holds the SHA-256 too.

A parent node is encoded as go-merkledag (boxo) encodes it, byte for byte, since any difference
changes the CID. Its PBNode holds the links first (field 2) and then Data (field 1). Each PBLink
holds Hash (1, the child's binary CID), Name (2, present and empty) and Tsize (3: the bytes of
the child's block and of every block under it). Data is a UnixFS protobuf: Type (1) = File (2),
no inline Data (2), filesize (3) = the file bytes under the node, and blocksizes (4), one
non-packed varint per child giving that child's file bytes.

Invariants: a node's filesize is the sum of its blocksizes; the root's filesize is `len(data)`;
every block's CID is the sha2-256 of that block's bytes. `dag_blocks` yields every block (root
last) for whoever wants to check or export them.

The tests hold this to CIDs printed by kubo itself (its sharness tests): small files, and two
go-random files of 5 MiB (one level of parents) and 100 MiB (two levels), which the tests rebuild
byte for byte.
"""

import base64
import hashlib
from collections import deque
from collections.abc import Iterator, Sequence
from typing import NamedTuple

CHUNK_SIZE = 262_144  # kubo's default chunker, `size-262144`
MAX_LINKS = 174  # boxo's `DefaultLinksPerBlock` for the balanced layout

CID_VERSION = 1
RAW = 0x55
DAG_PB = 0x70
SHA2_256 = 0x12
SHA2_256_LENGTH = 32
UNIXFS_FILE = 2


class Block(NamedTuple):
    cid: bytes  # binary CIDv1: version, codec, multihash
    data: bytes


class _Child(NamedTuple):
    """What a parent needs to know of a child to link to it."""

    cid: bytes
    tree_size: int  # PBLink Tsize: this block's bytes and those of all blocks under it
    file_size: int  # file bytes under it, for the parent's blocksizes


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cid_v1(data: bytes) -> str:
    """The CID `ipfs add --cid-version=1` gives this file's bytes, in kubo's text form."""
    (root,) = deque(dag_blocks(data), maxlen=1)  # keeps only the last block: the root
    return cid_text(root.cid)


def cid_text(cid: bytes) -> str:
    """A binary CID as multibase base32: lower case, unpadded, prefix `b`."""
    return "b" + base64.b32encode(cid).decode("ascii").lower().rstrip("=")


def dag_blocks(
    data: bytes, *, chunk_size: int = CHUNK_SIZE, max_links: int = MAX_LINKS
) -> Iterator[Block]:
    """Every block of the file's DAG, leaves first, level by level, the root last.

    `chunk_size` and `max_links` exist so tests can build deep trees from small files; the CID
    of record always uses kubo's defaults (`cid_v1`)."""
    if chunk_size < 1 or max_links < 2:
        raise ValueError("a chunk holds at least one byte and a parent at least two links")
    level: list[_Child] = []
    # range() over at least one offset, so the empty file is one empty raw block, as in kubo.
    for offset in range(0, max(len(data), 1), chunk_size):
        chunk = data[offset : offset + chunk_size]
        block = Block(_cid(RAW, chunk), chunk)
        level.append(_Child(block.cid, len(chunk), len(chunk)))
        yield block
    while len(level) > 1:
        parents: list[_Child] = []
        for start in range(0, len(level), max_links):
            children = level[start : start + max_links]
            block = _parent_block(children)
            tree_size = len(block.data) + sum(child.tree_size for child in children)
            file_size = sum(child.file_size for child in children)
            parents.append(_Child(block.cid, tree_size, file_size))
            yield block
        level = parents


def _parent_block(children: Sequence[_Child]) -> Block:
    # go-merkledag's order: every link (PBNode field 2) first, then Data (field 1).
    links = b"".join(_field_bytes(2, _link(child)) for child in children)
    unixfs = (
        _field_varint(1, UNIXFS_FILE)  # Type; no inline Data (field 2) in a node with links
        + _field_varint(3, sum(child.file_size for child in children))  # filesize
        + b"".join(_field_varint(4, child.file_size) for child in children)  # blocksizes
    )
    encoded = links + _field_bytes(1, unixfs)
    return Block(_cid(DAG_PB, encoded), encoded)


def _link(child: _Child) -> bytes:
    # Hash, Name (written even though empty, as boxo does), Tsize.
    return _field_bytes(1, child.cid) + _field_bytes(2, b"") + _field_varint(3, child.tree_size)


def _cid(codec: int, block: bytes) -> bytes:
    # Every number here is below 0x80, so each varint of the CID prefix is one byte.
    digest = hashlib.sha256(block).digest()
    return bytes([CID_VERSION, codec, SHA2_256, SHA2_256_LENGTH]) + digest


# Protocol buffers: only the two wire types dag-pb and UnixFS use here.


def _varint(value: int) -> bytes:
    """Unsigned LEB128, as protobuf and multiformats write integers."""
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _field_varint(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _field_bytes(number: int, value: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(value)) + value
