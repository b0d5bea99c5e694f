"""Duplicates: review texts that are near-copies of each other.

A bought campaign is often one text pasted with small changes — a name swapped, a word added —
by many accounts, or by one account on many businesses. Texts are compared as sets of
**character 5-shingles** (every run of five characters), so it works in any language and
script without a word tokeniser (Greek, Thai or Chinese are shingled the same way as English).
The text is normalised first: case folded and runs of whitespace collapsed to one space, so a
re-typed line break or a capital is not a difference. Punctuation is **kept**: it is part of
what was copied, dropping it would cost a pass over every character, and a changed mark alters
at most five shingles of a 200-character text (2 %), well inside the threshold.

Similarity is the Jaccard index of two shingle sets, estimated by MinHash and searched with LSH
banding (only sketches agreeing on a whole band of ``r`` values become candidates), with the
band count and width that datasketch's ``MinHashLSH`` chooses for the threshold (its optimum of
false positives against false negatives, weighted 9 to 1 towards recall). Candidates are
verified by their exact shingle Jaccard (cheap: a few thousand pairs), verified pairs are
joined into clusters by union-find (connected components), and each member's exact Jaccard to
the cluster's earliest review is kept as evidence. With the unweighted optimum and the MinHash
estimate as the check, the bench lost 22 % of the planted copies above the threshold; with
both changes, 12 %.

Cost, measured on the 2-core bench machine (``bench/bench_signal_duplicates.py``, 100,000
texts of ~200 characters, ~20 million shingles): datasketch's per-document path is too slow —
``MinHash.update_batch`` 23 s, ``MinHash.bulk`` with SHA-1 36 s, and ``MinHashLSH.insert`` of
100,000 ``LeanMinHash`` 4.3 s on its own (Python per key and band). Even datasketch's scheme
(128 affine permutations of every shingle) done in numpy is 2.5 billion operations, 32 s.
So the sketches are **one-permutation MinHash with rotation densification** (Shrivastava & Li,
ICML 2014: one hash per shingle splits it into one of ``num_perm`` bins, the minimum per bin;
an empty bin borrows the next non-empty one's value, offset by the distance, which keeps the
estimate unbiased and fit for LSH), computed for a few thousand texts at a time in numpy, and
the banding is a numpy sort per band. The whole run: 1.8-2.7 s for 100,000 texts of 200
characters, depending on the machine's other load (normalising 0.5 s, sketching 0.8 s, banding
and verifying 0.6 s), 1.4-1.7 s for texts of 100 characters (docs/investigations.md).
Normalising in numpy was tried: slower than ``str.split`` per text.

Deterministic: the shingle hash is fixed arithmetic over code points (not Python's salted
``hash``), seeded by ``seed``; clusters and members come out in a fixed order.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from datasketch import MinHashLSH

from integrity_desk.signals.records import ReviewRecord

SHINGLE = 5  # characters per shingle: long enough to be specific, short enough for any script
CHUNK = 4096  # texts sketched at a time (keeps numpy's buffers a few megabytes)
_U64 = np.uint64
_MULTIPLIERS = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F, 0x165667B1],
                        dtype=np.uint32)  # odd: distinct tuples of code points rarely collide


@dataclass(frozen=True)
class DuplicateMember:
    review: str
    reviewer: str
    business: str
    day: date
    similarity: float  # exact shingle Jaccard to the cluster's representative (itself: 1.0)


@dataclass(frozen=True)
class DuplicateCluster:
    members: tuple[DuplicateMember, ...]  # the representative (earliest) first, then by day
    reviewers: int
    businesses: int
    explanation: str

    @property
    def representative(self) -> DuplicateMember:
        return self.members[0]

    def evidence(self) -> dict[str, object]:
        return {"reviews": len(self.members), "reviewers": self.reviewers,
                "businesses": self.businesses, "representative": self.representative.review,
                "members": [{"review": m.review, "reviewer": m.reviewer,
                             "business": m.business, "day": m.day.isoformat(),
                             "similarity": m.similarity} for m in self.members]}


def normalise(text: str) -> str:
    """Case folded, whitespace runs collapsed to one space, punctuation kept."""
    return " ".join(text.casefold().split())


def shingles(text: str) -> set[str]:
    """The character shingles of an already normalised text."""
    return {text[i:i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def sketches(texts: Sequence[str], *, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """One-permutation MinHash sketches (``len(texts)`` × ``num_perm``, uint32) of normalised
    texts of at least ``SHINGLE`` characters, densified by rotation."""
    value_bits = 32 - max(1, (num_perm - 1).bit_length())  # room for the rotation offset
    out = np.empty((len(texts), num_perm), dtype=np.uint32)
    for start in range(0, len(texts), CHUNK):
        out[start:start + CHUNK] = _sketch_chunk(texts[start:start + CHUNK], num_perm,
                                                 value_bits, seed)
    return out


def _sketch_chunk(texts: Sequence[str], num_perm: int, value_bits: int,
                  seed: int) -> np.ndarray:
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    points = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    n = max(len(points) - SHINGLE + 1, 0)
    h = np.full(n, (seed * 0x9E3779B9) & 0xFFFFFFFF, dtype=np.uint32)
    step = np.empty(n, dtype=np.uint32)
    for k in range(SHINGLE):  # a polynomial hash of the five code points at each position
        np.multiply(points[k:k + n], _MULTIPLIERS[k], out=step)
        h += step
    for shift, factor in ((16, 0x85EBCA6B), (13, 0xC2B2AE35), (16, 0)):  # murmur3's finaliser
        np.right_shift(h, np.uint32(shift), out=step)
        h ^= step
        if factor:
            h *= np.uint32(factor)
    # Not across two texts: the last SHINGLE - 1 positions before each text's end start a
    # shingle that runs past it (with a text shorter than that, they reach into earlier
    # texts, where they start shingles running past those texts' ends too).
    tails = (np.cumsum(lengths)[:, None] - np.arange(1, SHINGLE)).ravel()
    valid = np.ones(n, dtype=bool)
    valid[tails[(tails >= 0) & (tails < n)]] = False
    h = h[valid]
    doc = np.repeat(np.arange(len(texts)), np.maximum(lengths - SHINGLE + 1, 0))
    # Multiply-shift picks the bin from the top 16 bits; the low bits are the value.
    bins = ((h >> np.uint32(16)) * np.uint32(num_perm)) >> np.uint32(16)
    values = h & np.uint32((1 << value_bits) - 1)
    sig = np.full(len(texts) * num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    np.minimum.at(sig, doc * num_perm + bins, values)
    return _densify(sig.reshape(len(texts), num_perm), value_bits)


def _densify(sig: np.ndarray, value_bits: int) -> np.ndarray:
    """Each empty bin takes the next non-empty bin's value (circularly) plus its distance
    shifted above the value bits, so a borrowed value never equals a native one."""
    empty = sig == np.iinfo(np.uint32).max
    rows, cols = np.nonzero(empty)
    if not len(rows):
        return sig
    k = sig.shape[1]
    filled = np.where(empty, np.int16(2 * k), np.arange(k, dtype=np.int16))
    right = np.minimum.accumulate(filled[:, ::-1], axis=1)[:, ::-1]
    nearest = right[rows, cols].astype(np.int64)
    around = nearest == 2 * k  # none to the right: wrap to the row's first non-empty bin
    nearest[around] = right[rows[around], 0] + k
    source = sig[rows, nearest % k]
    sig[rows, cols] = source + ((nearest - cols).astype(np.uint32) << np.uint32(value_bits))
    return sig


def candidate_pairs(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Pairs (i, j), i < j, whose sketches agree on a whole band: each band's values are hashed
    to one 64-bit key, sorted, and every member of a run of equal keys is paired with the
    run's first (a star, not all pairs: a bucket of 1,000 copies is 999 pairs, not 499,500)."""
    pairs = []
    multipliers = (np.arange(1, rows + 1, dtype=_U64) * _U64(0x9E3779B97F4A7C15)) | _U64(1)
    for band in range(bands):
        part = sig[:, band * rows:(band + 1) * rows].astype(_U64)
        part *= multipliers
        key = part.sum(axis=1, dtype=_U64)
        key ^= key >> _U64(29)
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        first = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        run = np.repeat(first, np.diff(np.r_[first, len(ordered)]))
        inside = np.arange(len(ordered)) != run
        pairs.append(np.stack([order[run[inside]], order[inside]], axis=1))
    if not pairs:
        return np.empty((0, 2), dtype=np.int64)
    found = np.sort(np.concatenate(pairs), axis=1)
    return np.unique(found, axis=0)


def _components(n: int, pairs: np.ndarray) -> list[list[int]]:
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs.tolist():
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[int]] = {}
    for i in {int(x) for x in pairs.ravel()}:
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


@functools.lru_cache(maxsize=16)
def _bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """The band count and width MinHashLSH chooses (false negatives weighing 9 times false
    positives), computed once per threshold: it integrates numerically for every candidate
    split, 12-24 ms a call, which the nightly pass paid once per business (more than the
    signals of a business of 100 reviews cost)."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=(0.1, 0.9))
    return lsh.b, lsh.r


def find_duplicates(reviews: Iterable[ReviewRecord], *, threshold: float = 0.8,
                    num_perm: int = 128, min_chars: int = 40,
                    seed: int = 1) -> list[DuplicateCluster]:
    """Clusters of reviews whose normalised texts have a shingle Jaccard of about
    ``threshold`` or more with another member, largest first. Texts shorter than
    ``min_chars`` (normalised) are skipped: a "Great!" is not a copy."""
    kept: list[ReviewRecord] = []
    texts: list[str] = []
    for record in reviews:
        text = normalise(record.text)
        if len(text) >= max(min_chars, SHINGLE):
            kept.append(record)
            texts.append(text)
    if len(kept) < 2:
        return []
    # One order whatever order the rows came in: LSH pairs each bucket's members with its
    # first, so which pairs are verified (and whether a cluster of copies only transitively
    # alike comes out whole) must not depend on the database's row order between runs.
    order = sorted(range(len(kept)), key=lambda i: (kept[i].day, kept[i].review))
    kept, texts = [kept[i] for i in order], [texts[i] for i in order]
    sig = sketches(texts, num_perm=num_perm, seed=seed)
    # A missed copy is lost while a false candidate costs one exact comparison, so the bands
    # are chosen with false negatives weighing 9 times false positives (at 0.8 and 128
    # values: 14 bands of 9, which catch a pair of Jaccard 0.8 with probability 0.87).
    bands, rows = _bands(threshold, num_perm)
    sets: dict[int, set[str]] = {}

    def similar(i: int, j: int) -> bool:
        a = sets[i] if i in sets else sets.setdefault(i, shingles(texts[i]))
        b = sets[j] if j in sets else sets.setdefault(j, shingles(texts[j]))
        return jaccard(a, b) >= threshold

    pairs = candidate_pairs(sig, bands, rows)
    pairs = pairs[[similar(i, j) for i, j in pairs.tolist()]] if len(pairs) else pairs
    clusters = [_cluster([kept[i] for i in group], [texts[i] for i in group])
                for group in _components(len(kept), pairs)]
    return sorted(clusters, key=lambda c: (-len(c.members), c.representative.day,
                                           c.representative.review))


def _cluster(records: list[ReviewRecord], texts: list[str]) -> DuplicateCluster:
    order = sorted(range(len(records)), key=lambda i: (records[i].day, records[i].review))
    first = shingles(texts[order[0]])
    members = tuple(DuplicateMember(records[i].review, records[i].reviewer,
                                    records[i].business, records[i].day,
                                    round(jaccard(first, shingles(texts[i])), 4))
                    for i in order)
    return DuplicateCluster(members, len({m.reviewer for m in members}),
                            len({m.business for m in members}), _explain(members))


def _explain(members: tuple[DuplicateMember, ...]) -> str:
    rep, others = members[0], members[1:]
    accounts = {m.reviewer for m in members}
    places = {m.business for m in members}
    low, high = min(m.similarity for m in others), max(m.similarity for m in others)
    similarity = f"{low:.2f}" if low == high else f"{low:.2f}–{high:.2f}"
    who = "one account" if len(accounts) == 1 else f"{len(accounts)} accounts"
    text = (f"{len(members)} reviews by {who} share almost the same text (similarity "
            f"{similarity} to the earliest, of {rep.day.isoformat()} by reviewer "
            f"{rep.reviewer})")
    if len(accounts) == 1 and len(places) == 1:
        return (f"{text}; all by the same account on the same business ({rep.business}): "
                f"possibly a re-post rather than a copy")
    where = ("the same business" if len(places) == 1 else f"{len(places)} businesses")
    return f"{text}, on {where}"
