import { mkdirSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'

/** The roles of a stack whose CPU a single-process profile is split into. */
export const profiledRoles = ['agents', 'api', 'facilitator'] as const
export type ProfiledRole = (typeof profiledRoles)[number]

/**
 * Where a sample's time went: a role; `shared` (no frame of any role on its stack: callbacks of
 * sockets, timers and promises that resumed in a library, e.g. undici reading a response); `gc`,
 * `program` (V8 and Node native work outside JavaScript) and `idle` as V8 names them.
 */
export type ProfileBucket = ProfiledRole | 'shared' | 'gc' | 'program' | 'idle'

/**
 * Path fragments naming a role's own code, ours and the reference's. Everything else (viem, undici,
 * noble, zod, better-sqlite3, express, `@tollgate/core`/`evm`, the reference's shared chunks) is a
 * library and is charged to the nearest role frame that called it.
 */
const roleFragments: ReadonlyArray<readonly [ProfiledRole, readonly string[]]> = [
  [
    'agents',
    [
      '/packages/fetch/',
      '/packages/payer/',
      '/@x402/fetch/',
      '/@x402/core/dist/esm/client/',
      '/@x402/evm/dist/esm/exact/client/',
      '/bench/src/payingFetch.ts',
      '/bench/src/runSlice.ts',
    ],
  ],
  [
    'api',
    [
      '/packages/express/',
      '/packages/paywall/',
      '/@x402/express/',
      '/@x402/core/dist/esm/server/',
      '/@x402/evm/dist/esm/exact/server/',
      '/bench/src/tollgateApi.ts',
      '/bench/src/referenceApi.ts',
    ],
  ],
  [
    'facilitator',
    [
      '/packages/facilitator/',
      '/@x402/core/dist/esm/facilitator/',
      '/@x402/evm/dist/esm/exact/facilitator/',
      '/bench/src/tollgateFacilitator.ts',
      '/bench/src/referenceFacilitator.ts',
    ],
  ],
]

/** The role whose own code a script URL holds, or `undefined` for a library or Node itself. */
export function roleOfUrl(url: string): ProfiledRole | undefined {
  if (!url) return undefined
  for (const [role, fragments] of roleFragments)
    if (fragments.some((fragment) => url.includes(fragment))) return role
  return undefined
}

/** The subset of a V8 `Profiler.Profile` the attribution reads. */
export type CpuProfile = {
  nodes: ReadonlyArray<{
    id: number
    callFrame: { functionName: string; url: string }
    children?: readonly number[] | undefined
  }>
  samples?: readonly number[] | undefined
  timeDeltas?: readonly number[] | undefined
}

// A Map, not an object literal: a function named `toString` must not find Object.prototype's.
const specialFrames = new Map<string, ProfileBucket>([
  ['(garbage collector)', 'gc'],
  ['(program)', 'program'],
  ['(idle)', 'idle'],
])

/**
 * The library a script belongs to: its package under node_modules, `@tollgate/<name>` for a
 * workspace package, `node` for Node's own JavaScript, `bench` for this benchmark.
 */
export function libraryOfUrl(url: string): string {
  if (url.startsWith('node:')) return 'node'
  const modules = url.lastIndexOf('/node_modules/')
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + '/node_modules/'.length).split('/')
    return scope?.startsWith('@') ? `${scope}/${name}` : (scope ?? 'unknown')
  }
  const workspace = /\/packages\/([^/]+)\//.exec(url)
  if (workspace) return `@tollgate/${workspace[1]}`
  if (url.includes('/bench/')) return 'bench'
  return 'unknown'
}

/**
 * Each profile node's bucket (its own role, else its nearest ancestor's, else `shared`) and
 * library (of the innermost frame with a script).
 */
function bucketsOf(profile: CpuProfile): {
  buckets: Map<number, ProfileBucket>
  libraries: Map<number, string>
} {
  const parentOf = new Map<number, number>()
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parentOf.set(child, node.id)
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const buckets = new Map<number, ProfileBucket>()
  const libraries = new Map<number, string>()
  for (const node of profile.nodes) {
    const special = specialFrames.get(node.callFrame.functionName)
    if (special) {
      buckets.set(node.id, special)
      continue
    }
    let bucket: ProfileBucket = 'shared'
    for (let id: number | undefined = node.id; id !== undefined; id = parentOf.get(id)) {
      const url = byId.get(id)?.callFrame.url ?? ''
      // The innermost script on the stack names the library (native frames have no URL).
      if (url && !libraries.has(node.id)) libraries.set(node.id, libraryOfUrl(url))
      const role = roleOfUrl(url)
      if (role) {
        bucket = role
        break
      }
    }
    buckets.set(node.id, bucket)
  }
  return { buckets, libraries }
}

/** Milliseconds of a profile per bucket, and of its `shared` samples per innermost library. */
export type ProfileAttribution = {
  buckets: Record<ProfileBucket, number>
  sharedByLibrary: Record<string, number>
}

/**
 * Milliseconds of the profile in each bucket. A sample lasts until the next one (the last sample
 * counts nothing), as Chrome's profiler reads `timeDeltas`.
 */
export function attributeProfile(profile: CpuProfile): ProfileAttribution {
  const totals: Record<ProfileBucket, number> = {
    agents: 0,
    api: 0,
    facilitator: 0,
    shared: 0,
    gc: 0,
    program: 0,
    idle: 0,
  }
  const sharedByLibrary: Record<string, number> = {}
  const { buckets, libraries } = bucketsOf(profile)
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  for (let i = 0; i + 1 < samples.length; i++) {
    const bucket = buckets.get(samples[i]!) ?? 'shared'
    const ms = (deltas[i + 1] ?? 0) / 1000
    totals[bucket] += ms
    if (bucket === 'shared') {
      const library = libraries.get(samples[i]!) ?? 'native'
      sharedByLibrary[library] = (sharedByLibrary[library] ?? 0) + ms
    }
  }
  return { buckets: totals, sharedByLibrary }
}

/**
 * A V8 CPU profile of this process (node:inspector), sampling every `intervalUs`; `stop` returns
 * the time per bucket since `start`.
 */
export async function startCpuProfile({ intervalUs = 1000 }: { intervalUs?: number } = {}) {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs })
  await session.post('Profiler.start')
  return {
    async stop(): Promise<ProfileAttribution> {
      try {
        const { profile } = await session.post('Profiler.stop')
        const dir = process.env.BENCH_SLICE_PROFILES
        if (dir) {
          mkdirSync(dir, { recursive: true })
          writeFileSync(join(dir, `slice-${Date.now()}.cpuprofile`), JSON.stringify(profile))
        }
        return attributeProfile(profile as CpuProfile)
      } finally {
        await session.post('Profiler.disable')
        session.disconnect()
      }
    },
  }
}
