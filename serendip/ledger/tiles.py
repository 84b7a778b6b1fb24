"""C2SP tlog-tiles (tile height 8) for Serendip's transparency log — pure Python, no Django.

A tiled log stores its Merkle tree as *tiles*: runs of up to 256 consecutive
hashes at tile level ``L``, i.e. at Merkle level ``8 * L``.  Tile ``(L, N)``
holds hash ``i`` = MTH of leaves ``[(N*256 + i) * 256**L, (N*256 + i + 1) * 256**L)``.
Levels in between are recomputed from a tile's hashes, so every hash a proof
needs comes out of a handful of tiles.  Entry bundles (``tile/entries/N``)
hold the entries themselves, each as a big-endian uint16 length + bytes.

What the platform uses:

* ``Tile`` (``level``, ``index``, ``width``; ``level == ENTRIES`` for entry bundles),
  ``Tile.path`` / ``parse_path`` — ``tile/1/x001/x234/067.p/8``, ``tile/entries/000``.
* ``append_leaves(old_size, leaf_hashes, read_tiles)`` -> ``[(Tile, bytes)]``: every
  tile whose content changes when leaves are appended (reads at most one old
  partial tile per level, in one ``read_tiles`` call).  ``append_entries`` does the
  same for entry bundles.
* ``tile_for_node`` / ``tiles_for_nodes``: which tile (and which hashes in it) a
  given Merkle node ``(level, index)`` comes from at a given tree size — the role
  of Go's ``tlog.StoredHashIndex`` + ``TileHashReader``.
* ``root``, ``inclusion_proof``, ``consistency_proof`` computed *from tiles* through a
  ``read_tiles(list[Tile]) -> list[bytes]`` callback, called exactly once per
  proof (e.g. one ``WHERE (level, index) IN (...)`` query).
* ``MemoryTileStore``: a dict-backed reference store (tests, benchmarks, and the
  shape a database table should have).

Storage contract for ``read_tiles``: return, for each requested ``Tile``, its
``width * 32`` bytes.  Returning a *longer* version of the same (level, index)
tile is fine — tiles only ever grow by appending, so the first ``width``
hashes of a wider tile are the narrower tile — which means a store may keep
just the latest version of each (level, index).  (Spec note: a public log must
keep serving the partial tiles of every size it published a checkpoint for;
slice the stored wider tile to serve them.)
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from serendip.ledger import tlog

__all__ = [
    "ENTRIES",
    "HASH_SIZE",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "MemoryTileStore",
    "ReadTiles",
    "Tile",
    "TileError",
    "append_entries",
    "append_leaves",
    "consistency_proof",
    "decode_entry_bundle",
    "encode_entry_bundle",
    "format_index",
    "inclusion_proof",
    "new_tiles",
    "node_hash_from_tile",
    "parse_path",
    "proof_tiles",
    "read_node_hashes",
    "root",
    "tile_for_node",
    "tile_for_size",
    "tiles_for_nodes",
    "tiles_for_size",
]

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
HASH_SIZE = tlog.HASH_SIZE
ENTRIES = -1  # the "level" of entry bundles (tile/entries/...)
MAX_LEVEL = 63
MAX_ENTRY_SIZE = 0xFFFF

ReadTiles = Callable[[list["Tile"]], Sequence[bytes]]


class TileError(ValueError):
    """A tile path, tile content or entry bundle is malformed or missing."""


def format_index(n: int) -> str:
    """Tile index as zero-padded 3-digit path elements, all but the last prefixed 'x'.

    ``1234067`` -> ``x001/x234/067``; ``5`` -> ``005``.
    """
    if n < 0:
        raise ValueError("tile index must be non-negative")
    s = f"{n % 1000:03d}"
    n //= 1000
    while n:
        s = f"x{n % 1000:03d}/{s}"
        n //= 1000
    return s


@dataclass(frozen=True, order=True)
class Tile:
    """A tile (``level`` 0..63) or entry bundle (``level == ENTRIES``) of ``width`` 1..256."""

    level: int
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        if not ENTRIES <= self.level <= MAX_LEVEL:
            raise TileError(f"tile level {self.level} out of range")
        if self.index < 0:
            raise TileError("tile index must be non-negative")
        if not 1 <= self.width <= TILE_WIDTH:
            raise TileError(f"tile width {self.width} out of range")

    @property
    def is_partial(self) -> bool:
        return self.width < TILE_WIDTH

    @property
    def is_entries(self) -> bool:
        return self.level == ENTRIES

    @property
    def full(self) -> Tile:
        """The full-width tile at the same position."""
        return Tile(self.level, self.index)

    @property
    def path(self) -> str:
        """``tile/<L>/<N>[.p/<W>]`` or ``tile/entries/<N>[.p/<W>]``."""
        level = "entries" if self.level == ENTRIES else str(self.level)
        suffix = f".p/{self.width}" if self.is_partial else ""
        return f"tile/{level}/{format_index(self.index)}{suffix}"

    def leaf_range(self) -> tuple[int, int]:
        """The entries ``[start, end)`` this tile spans if full (tlog-tiles start/end index)."""
        level = max(self.level, 0)
        span = TILE_WIDTH ** (level + 1)
        return self.index * span, (self.index + 1) * span

    def __str__(self) -> str:
        return self.path


_PATH = re.compile(
    r"tile/(?P<level>entries|0|[1-9][0-9]?)/"
    r"(?P<index>(?:x[0-9]{3}/)*[0-9]{3})"
    r"(?:\.p/(?P<width>[1-9][0-9]{0,2}))?"
)


def parse_path(path: str) -> Tile:
    """Parse a canonical tile or entry-bundle path (leading prefix up to ``tile/`` allowed)."""
    i = path.rfind("tile/")
    m = _PATH.fullmatch(path[i:]) if i >= 0 else None
    if m is None:
        raise TileError(f"not a tile path: {path!r}")
    groups = m["index"].split("/")
    if len(groups) > 1 and groups[0] == "x000":
        raise TileError("tile index has a leading zero group")
    index = int("".join(g.lstrip("x") for g in groups))
    level = ENTRIES if m["level"] == "entries" else int(m["level"])
    width = int(m["width"]) if m["width"] else TILE_WIDTH
    if (m["width"] and width >= TILE_WIDTH) or level > MAX_LEVEL:
        raise TileError(f"not a tile path: {path!r}")
    return Tile(level, index, width)


# --------------------------------------------------------------------------------------------
# Which tiles exist for a tree size
# --------------------------------------------------------------------------------------------


def tile_for_size(level: int, index: int, size: int) -> Tile | None:
    """The tile at (level, index) as it is for a tree of ``size`` leaves, or None if empty."""
    n = size >> (TILE_HEIGHT * max(level, 0))  # hashes (or entries) at this tile level
    width = min(TILE_WIDTH, n - index * TILE_WIDTH)
    return Tile(level, index, width) if width > 0 else None


def tiles_for_size(size: int, *, entries: bool = False) -> Iterator[Tile]:
    """Every hash tile (or, with ``entries=True``, every entry bundle) of a tree of ``size``."""
    levels: Iterable[int] = [ENTRIES] if entries else range(MAX_LEVEL + 1)
    for level in levels:
        n = size >> (TILE_HEIGHT * max(level, 0))
        if n == 0:
            return
        for index in range((n + TILE_WIDTH - 1) // TILE_WIDTH):
            yield Tile(level, index, min(TILE_WIDTH, n - index * TILE_WIDTH))


def new_tiles(old_size: int, new_size: int) -> list[Tile]:
    """Hash tiles whose content differs between tree sizes (Go's ``tlog.NewTiles``)."""
    if not 0 <= old_size <= new_size:
        raise ValueError("new size must not be smaller than old size")
    out = []
    for level in range(MAX_LEVEL + 1):
        n_old, n_new = old_size >> (TILE_HEIGHT * level), new_size >> (TILE_HEIGHT * level)
        if n_old == n_new:
            break  # nothing new here, so nothing new above either
        for index in range(n_old // TILE_WIDTH, (n_new + TILE_WIDTH - 1) // TILE_WIDTH):
            out.append(Tile(level, index, min(TILE_WIDTH, n_new - index * TILE_WIDTH)))
    return out


# --------------------------------------------------------------------------------------------
# Merkle nodes <-> tiles
# --------------------------------------------------------------------------------------------


def tile_for_node(node: tlog.Node, size: int) -> tuple[Tile, int, int]:
    """Where complete node ``(level, index)`` of a ``size``-leaf tree is computed from.

    Returns ``(tile, offset, count)``: the node's hash is the Merkle root of tile
    hashes ``[offset, offset + count)`` (``count`` is a power of two up to 128;
    ``count == 1`` means the hash is stored as is).  The tile's width is the one it
    has at ``size`` — exactly the tiles a log publishes for that checkpoint.
    """
    level, index = node
    if level < 0 or index < 0:
        raise ValueError(f"bad node {node}")
    tile_level, sub = divmod(level, TILE_HEIGHT)
    first, count = index << sub, 1 << sub
    if (first + count) > size >> (TILE_HEIGHT * tile_level):
        raise ValueError(f"node {node} is not complete in a tree of size {size}")
    tile = tile_for_size(tile_level, first >> TILE_HEIGHT, size)
    assert tile is not None  # guaranteed by the completeness check
    return tile, first & (TILE_WIDTH - 1), count


def _split(data: bytes) -> list[bytes]:
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def node_hash_from_tile(offset: int, count: int, data: bytes) -> bytes:
    """Merkle root of tile hashes ``[offset, offset + count)`` of a tile's bytes."""
    chunk = data[offset * HASH_SIZE : (offset + count) * HASH_SIZE]
    if len(chunk) != count * HASH_SIZE:
        raise TileError("tile is too short for the requested hashes")
    return chunk if count == 1 else tlog.root(_split(chunk))


def tiles_for_nodes(nodes: Iterable[tlog.Node], size: int) -> list[Tile]:
    """The distinct tiles needed to compute ``nodes`` at tree ``size`` (for prefetching)."""
    return list(dict.fromkeys(tile_for_node(n, size)[0] for n in nodes))


def read_node_hashes(nodes: Sequence[tlog.Node], size: int, read_tiles: ReadTiles) -> list[bytes]:
    """Hashes of complete nodes at tree ``size``, with a single ``read_tiles`` call."""
    where = [tile_for_node(n, size) for n in nodes]
    tiles = list(dict.fromkeys(t for t, _, _ in where))
    if not tiles:
        return []
    datas = read_tiles(tiles)
    if len(datas) != len(tiles):
        raise TileError("read_tiles returned the wrong number of tiles")
    by_tile: dict[Tile, bytes] = {}
    for tile, data in zip(tiles, datas, strict=True):
        if data is None or len(data) < tile.width * HASH_SIZE or len(data) % HASH_SIZE:
            raise TileError(f"tile {tile.path} is missing or has the wrong length")
        by_tile[tile] = bytes(data[: tile.width * HASH_SIZE])
    # A proof never asks for the same node twice, but the cache is cheap insurance.
    cache: dict[tuple[Tile, int, int], bytes] = {}
    out = []
    for key in where:
        h = cache.get(key)
        if h is None:
            h = cache[key] = node_hash_from_tile(key[1], key[2], by_tile[key[0]])
        out.append(h)
    return out


def _hash_ranges(ranges: Sequence[tuple[int, int]], size: int, read_tiles: ReadTiles) -> list[bytes]:
    per_range = [tlog.range_nodes(lo, hi) for lo, hi in ranges]
    flat = [n for nodes in per_range for n in nodes]
    hashes = iter(read_node_hashes(flat, size, read_tiles))
    return [tlog.hash_nodes([next(hashes) for _ in nodes]) for nodes in per_range]


def root(size: int, read_tiles: ReadTiles) -> bytes:
    """Root hash of the tree of ``size`` leaves, from tiles."""
    if size == 0:
        return tlog.EMPTY_ROOT
    return _hash_ranges([(0, size)], size, read_tiles)[0]


def inclusion_proof(index: int, size: int, read_tiles: ReadTiles) -> list[bytes]:
    """RFC 6962 inclusion proof for leaf ``index`` in the ``size``-leaf tree, from tiles."""
    return _hash_ranges(tlog.inclusion_proof_ranges(index, size), size, read_tiles)


def consistency_proof(size1: int, size2: int, read_tiles: ReadTiles) -> list[bytes]:
    """RFC 6962 consistency proof from ``size1`` to ``size2``, from tiles of ``size2``."""
    return _hash_ranges(tlog.consistency_proof_ranges(size1, size2), size2, read_tiles)


def proof_tiles(index: int, size: int) -> list[Tile]:
    """The tiles ``inclusion_proof(index, size, ...)`` will read."""
    ranges = tlog.inclusion_proof_ranges(index, size)
    return tiles_for_nodes([n for lo, hi in ranges for n in tlog.range_nodes(lo, hi)], size)


# --------------------------------------------------------------------------------------------
# Appending
# --------------------------------------------------------------------------------------------


def append_leaves(
    old_size: int, leaf_hashes: Sequence[bytes], read_tiles: ReadTiles
) -> list[tuple[Tile, bytes]]:
    """The hash tiles that change when ``leaf_hashes`` are appended to a tree of ``old_size``.

    Returns ``[(tile, data)]`` level by level, each tile at its new width; store
    them (replacing narrower versions).  ``read_tiles`` is called once, for the
    old partial tile of each level that grows, and only if there is one.
    """
    leaves = list(leaf_hashes)
    if not leaves:
        return []
    if any(len(h) != HASH_SIZE for h in leaves):
        raise ValueError("leaf hashes must be 32 bytes")
    new_size = old_size + len(leaves)
    needed = []
    level = 0
    while new_size >> (TILE_HEIGHT * level) > old_size >> (TILE_HEIGHT * level):
        start = old_size >> (TILE_HEIGHT * level)
        if start % TILE_WIDTH:
            needed.append(Tile(level, start // TILE_WIDTH, start % TILE_WIDTH))
        level += 1
    prefixes: dict[Tile, bytes] = {}
    if needed:
        datas = read_tiles(needed)
        if len(datas) != len(needed):
            raise TileError("read_tiles returned the wrong number of tiles")
        for tile, data in zip(needed, datas, strict=True):
            if data is None or len(data) < tile.width * HASH_SIZE:
                raise TileError(f"tile {tile.path} is missing or too short")
            prefixes[tile] = bytes(data[: tile.width * HASH_SIZE])

    out: list[tuple[Tile, bytes]] = []
    hashes, level = leaves, 0
    while hashes:
        start = old_size >> (TILE_HEIGHT * level)
        first, done = divmod(start, TILE_WIDTH)
        data = (prefixes[Tile(level, first, done)] if done else b"") + b"".join(hashes)
        # Roots of the tiles this batch completes are the new hashes one tile level up.
        hashes = []
        step = TILE_WIDTH * HASH_SIZE
        for k, pos in enumerate(range(0, len(data), step)):
            chunk = data[pos : pos + step]
            width = len(chunk) // HASH_SIZE
            out.append((Tile(level, first + k, width), chunk))
            if width == TILE_WIDTH:
                hashes.append(tlog.root(_split(chunk)))
        level += 1
    return out


def encode_entry_bundle(entries: Iterable[bytes]) -> bytes:
    """Entries as a tlog-tiles entry bundle: each a big-endian uint16 length, then the bytes."""
    parts = []
    for e in entries:
        if len(e) > MAX_ENTRY_SIZE:
            raise ValueError(f"entry of {len(e)} bytes does not fit a uint16 length prefix")
        parts.append(struct.pack(">H", len(e)))
        parts.append(bytes(e))
    return b"".join(parts)


def decode_entry_bundle(data: bytes, width: int | None = None) -> list[bytes]:
    """Split an entry bundle into entries; raise TileError if truncated (or not ``width`` long)."""
    out, pos, n = [], 0, len(data)
    while pos < n:
        if pos + 2 > n:
            raise TileError("entry bundle ends inside a length prefix")
        (length,) = struct.unpack_from(">H", data, pos)
        pos += 2
        if pos + length > n:
            raise TileError("entry bundle ends inside an entry")
        out.append(bytes(data[pos : pos + length]))
        pos += length
    if width is not None and len(out) != width:
        raise TileError(f"entry bundle has {len(out)} entries, expected {width}")
    return out


def append_entries(
    old_size: int, entries: Sequence[bytes], read_tiles: ReadTiles
) -> list[tuple[Tile, bytes]]:
    """The entry bundles that change when ``entries`` are appended to a log of ``old_size``.

    Like ``append_leaves``: reads the old partial bundle (if any) once.  Entry
    ``i``'s leaf hash is ``tlog.leaf_hash(entries[i])``.
    """
    new = [bytes(e) for e in entries]
    if not new:
        return []
    first, done = divmod(old_size, TILE_WIDTH)
    prefix: list[bytes] = []
    if done:
        tile = Tile(ENTRIES, first, done)
        (data,) = read_tiles([tile])
        if data is None:
            raise TileError(f"entry bundle {tile.path} is missing")
        # A wider stored bundle is fine: keep just its first `done` entries.
        prefix = decode_entry_bundle(data)[:done]
        if len(prefix) != done:
            raise TileError(f"entry bundle {tile.path} is too short")
    allents = prefix + new
    out = []
    for k, pos in enumerate(range(0, len(allents), TILE_WIDTH)):
        chunk = allents[pos : pos + TILE_WIDTH]
        out.append((Tile(ENTRIES, first + k, len(chunk)), encode_entry_bundle(chunk)))
    return out


class MemoryTileStore:
    """In-memory tiled log: keeps only the latest version of each (level, index).

    ``read_tiles`` slices stored tiles to the requested width and counts calls in
    ``reads`` (so tests can assert "one read per proof").
    """

    def __init__(self) -> None:
        self.size = 0
        self.tiles: dict[tuple[int, int], bytes] = {}
        self.reads = 0

    def read_tiles(self, tiles: list[Tile]) -> list[bytes]:
        self.reads += 1
        out = []
        for t in tiles:
            data = self.tiles.get((t.level, t.index))
            if data is None:
                raise TileError(f"no tile {t.path}")
            if t.level == ENTRIES:
                ents = decode_entry_bundle(data)
                if len(ents) < t.width:
                    raise TileError(f"entry bundle {t.path} is too short")
                out.append(encode_entry_bundle(ents[: t.width]))
            else:
                if len(data) < t.width * HASH_SIZE:
                    raise TileError(f"tile {t.path} is too short")
                out.append(data[: t.width * HASH_SIZE])
        return out

    def append_leaf_hashes(self, leaf_hashes: Sequence[bytes]) -> list[Tile]:
        """Append leaf hashes; returns the tiles written."""
        changed = append_leaves(self.size, leaf_hashes, self.read_tiles)
        for tile, data in changed:
            self.tiles[(tile.level, tile.index)] = data
        self.size += len(leaf_hashes)
        return [t for t, _ in changed]

    def append(self, entries: Sequence[bytes]) -> list[Tile]:
        """Append entries: writes their entry bundles and hash tiles."""
        bundles = append_entries(self.size, entries, self.read_tiles)
        written = self.append_leaf_hashes([tlog.leaf_hash(e) for e in entries])
        for tile, data in bundles:
            self.tiles[(tile.level, tile.index)] = data
        return [t for t, _ in bundles] + written

    def get(self, tile: Tile) -> bytes:
        """Serve a tile at a given width (as an HTTP handler would)."""
        return self.read_tiles([tile])[0]

    def root(self, size: int | None = None) -> bytes:
        return root(self.size if size is None else size, self.read_tiles)
