import type { Hex } from 'viem'

/** The canonical hash at a height, as the node says now (`undefined`: no such block). */
export type HashAt = (height: bigint) => Promise<Hex | undefined>

/** What a watcher remembers of the chain: a head, and hashes by height. */
export type SeenChain = {
  /** Recent canonical hashes by height (sparse: only the blocks this watcher saw or was told of). */
  hashes: Map<bigint, Hex>
  /** Blocks reported by `track` that no poll has checked yet. */
  unchecked: Map<bigint, Hex>
}

/** A block as the fork check reads it. */
export type SeenBlock = { number: bigint; hash: Hex; parentHash: Hex }

/**
 * The height below which the chain is still what was seen, when `latest` replaced some of it;
 * `undefined` when `latest` only extends it. A block hash commits to every ancestor, so when the
 * head moves it is enough to check that the previous head is still the block at its height; only
 * when it is not is the fork point searched. Tracked blocks above the previous head (known from
 * receipts before any poll saw them) are checked one by one.
 */
export async function findReorg(
  hashAt: HashAt,
  seen: SeenChain,
  previous: SeenBlock | undefined,
  latest: SeenBlock,
): Promise<bigint | undefined> {
  let forkPoint = previous && (await checkAncestry(hashAt, seen, previous, latest))
  for (const [height, hash] of [...seen.unchecked].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (height > latest.number) continue
    seen.unchecked.delete(height)
    if (forkPoint !== undefined && height > forkPoint) continue
    const canonical = height === latest.number ? latest.hash : await hashAt(height)
    if (canonical !== hash) {
      seen.hashes.delete(height)
      forkPoint = await findForkPoint(hashAt, seen, height - 1n)
    }
  }
  return forkPoint
}

/** Whether `latest` descends from `previous`; if not, where they forked. */
async function checkAncestry(
  hashAt: HashAt,
  seen: SeenChain,
  previous: SeenBlock,
  latest: SeenBlock,
): Promise<bigint | undefined> {
  if (latest.number <= previous.number) return findForkPoint(hashAt, seen, latest.number - 1n)
  const extendsPrevious =
    latest.number === previous.number + 1n
      ? latest.parentHash === previous.hash
      : (await hashAt(previous.number)) === previous.hash
  return extendsPrevious ? undefined : findForkPoint(hashAt, seen, previous.number - 1n)
}

/**
 * The highest kept height at or below `below` whose hash the node still has; heights found
 * replaced are forgotten on the way. Deeper than anything kept: everything kept was replaced.
 */
export async function findForkPoint(
  hashAt: HashAt,
  seen: SeenChain,
  below: bigint,
): Promise<bigint> {
  const heights = [...seen.hashes.keys()].filter((n) => n <= below).sort((a, b) => (a > b ? -1 : 1))
  for (const height of heights) {
    if ((await hashAt(height)) === seen.hashes.get(height)) return height
    seen.hashes.delete(height)
  }
  const oldest = heights.at(-1)
  return oldest === undefined ? below : oldest - 1n
}

/** Remembers `latest` as canonical: drops hashes above a fork point and older than `depth`. */
export function recordHead(
  seen: SeenChain,
  latest: SeenBlock,
  forkPoint: bigint | undefined,
  depth: number,
): void {
  for (const height of seen.hashes.keys()) {
    const replaced = forkPoint !== undefined && height > forkPoint
    if (replaced || height <= latest.number - BigInt(depth)) seen.hashes.delete(height)
  }
  seen.hashes.set(latest.number, latest.hash)
}

/** The first new canonical height once `latest` is the head. */
export function firstNewBlock(
  previous: SeenBlock | undefined,
  latest: SeenBlock,
  forkPoint: bigint | undefined,
): bigint {
  const from =
    forkPoint !== undefined ? forkPoint + 1n : previous ? previous.number + 1n : latest.number
  return from > latest.number ? latest.number : from
}
