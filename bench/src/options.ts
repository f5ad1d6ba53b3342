import { parseArgs } from 'node:util'

export const stackNames = ['reference', 'confirmed', 'submitted', 'queued'] as const
export type StackName = (typeof stackNames)[number]

/**
 * Where and how a cell runs: `instant` (instant mining, closed loop), `1s` (1-second blocks,
 * closed loop) and `1s-paced` (1-second blocks, each agent sending one request per `paceMs` at a
 * random point of it, so every stack gets the same offered load and latencies compare at equal
 * load).
 */
export const scenarioNames = ['instant', '1s', '1s-paced'] as const
export type ScenarioName = (typeof scenarioNames)[number]

/** The devnet's block time in a scenario (`undefined`: instant mining). */
export function blockTimeOf(scenario: ScenarioName): number | undefined {
  return scenario === 'instant' ? undefined : 1
}

/**
 * How a stack's roles are laid out: `multi` (the agents in this process, the paid API and the
 * facilitator each in a child process) or `single` (all three in this process).
 */
export const shapeNames = ['multi', 'single'] as const
export type ShapeName = (typeof shapeNames)[number]

/**
 * How every account signs, the agents' and the facilitators' gas accounts, in both stacks:
 * `tollgate` (`@tollgate/evm/accounts`, libsecp256k1, native or WebAssembly) or `viem` (viem's
 * `privateKeyToAccount`, pure JavaScript).
 */
export const accountKinds = ['tollgate', 'viem'] as const
export type AccountKind = (typeof accountKinds)[number]

export const ledgerKinds = ['full', 'normal', 'memory'] as const
export type LedgerKind = (typeof ledgerKinds)[number]

export type BenchOptions = {
  quick: boolean
  /** Process layouts to run, one after the other on the same devnet. */
  shapes: ShapeName[]
  stacks: StackName[]
  agents: number[]
  scenarios: ScenarioName[]
  /** Unmeasured seconds at the start of each slice. */
  warmup: number
  /**
   * Unmeasured seconds at the start of a stack's first slice in a shape, instead of `warmup`: its
   * servers are new, their code not yet compiled by V8's optimizing tiers. On this 2-core machine
   * both stacks take 7 to 10 s of load to reach their steady rate (README, "Fair to both").
   */
  firstWarmup: number
  /** Measured seconds per cell, split over `rounds` slices. */
  duration: number
  /** Slices per cell: the stacks take turns, round after round, so they share the machine's moods. */
  rounds: number
  /** Interval between one agent's requests in paced scenarios, in ms. */
  paceMs: number
  /** Receipt / head polling of both facilitators, in ms. */
  pollMs: number
  /** Our ledger: a SQLite file synced on every commit (the default), synced at checkpoints, or in memory. */
  ledger: LedgerKind
  /** Most authorizations per batch transaction of ours. */
  batch: number
  /** How long our settler may wait for a batch to fill (`batch.maxWaitMs`), in ms; unset: 1000 queued, 0 others. */
  batchWaitMs: number | undefined
  /** How every account signs, in both stacks. */
  accounts: AccountKind
  /** Price per paid request, atomic units (6 decimals). */
  price: bigint
  gas: boolean
  /**
   * Our agents pay pre-emptively (`wrapFetch`'s opt-in `preemptive`): after a route's first 402,
   * its remembered requirements are paid with the request itself. Not the goals' measurement (the
   * reference client has no such option, and the goals measure the default client).
   */
  preemptive: boolean
  /**
   * Empty blocks mined before the first cell, so a run can start on a taller chain: anvil's CPU
   * per block grows with the chain (`bench/anvilBlocks.ts`), and with it the wait for a receipt.
   */
  preMine: number
  /** Directory for V8 CPU profiles of the server processes, if profiling. */
  cpuProf: string | undefined
  /** Time each server's calls and print the breakdown when it stops. */
  trace: boolean
  json: string | undefined
}

export const usage = `Usage: node --import tsx bench/settlement.ts [options]

  --quick              16 agents, scenarios instant and 1s-paced, short cells (under a minute)
  --shape=SHAPE        multi (agents here, each server in its own process), single (every role in
                       this process, CPU by role from a V8 profile), or both (default multi)
  --stacks=LIST        reference,confirmed,submitted,queued (default: all)
  --agents=LIST        concurrent agents per cell (default: 1,16,64)
  --scenarios=LIST     instant (instant mining, closed loop), 1s (1-second blocks, closed loop),
                       1s-paced (1-second blocks, one request per agent per --pace-ms)
                       (default: all three)
  --duration=S         measured seconds per cell (default 8; quick 2)
  --rounds=N           a cell runs as N slices, the stacks taking turns slice by slice
                       (default 3; quick 2)
  --warmup=S           unmeasured seconds at the start of each slice (default 0.7; quick 0.5)
  --first-warmup=S     unmeasured seconds at the start of a stack's first slice in a shape, its
                       servers still cold (default 10; quick 1.5)
  --pace-ms=MS         interval between one agent's requests in paced cells (default 1000)
  --poll-ms=MS         receipt/head polling of both facilitators (default 100)
  --batch=N            max authorizations per batch of ours (default 50)
  --batch-wait-ms=MS   how long our settler may wait for a batch to fill, block-aligned (default
                       1000 in queued mode, 0 in the others)
  --ledger=KIND        our SQLite ledger: full (a file, fsync per commit: the package default),
                       normal (a file, synchronous=NORMAL), memory (':memory:', not durable)
  --accounts=KIND      how every account signs (agents and gas accounts, both stacks alike):
                       tollgate (@tollgate/evm/accounts, the default) or viem (viem's
                       privateKeyToAccount)
  --price=ATOMIC       price per request in atomic units (default 1000 = 0.001 USDC)
  --no-gas             skip the single-vs-batched gas measurement
  --preemptive         our agents pay pre-emptively after a route's first 402 (wrapFetch's opt-in
                       preemptive): what a client that opts in gets; the targets are then not
                       judged (they measure the default client)
  --pre-mine=N         mine N empty blocks before the first cell (default 0): anvil's CPU per block
                       grows with the chain's height, see bench/anvilBlocks.ts
  --cpu-prof=DIR       write V8 CPU profiles of the server processes into DIR
  --trace              time each server's outgoing calls, ledger methods and requests served,
                       and print the breakdown (to stderr) when it stops
  --json=FILE          also write the results as JSON
`

function list<item extends string>(value: string, allowed: readonly item[], flag: string): item[] {
  const items = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
  for (const item of items)
    if (!allowed.includes(item as item))
      throw new Error(`--${flag}: unknown "${item}" (one of ${allowed.join(', ')})`)
  if (items.length === 0) throw new Error(`--${flag} is empty`)
  return [...new Set(items)] as item[]
}

function positive(value: string, flag: string): number {
  const number = Number(value)
  if (!(number > 0) || !Number.isFinite(number))
    throw new Error(`--${flag} must be a positive number`)
  return number
}

function whole(value: string, flag: string): number {
  const number = positive(value, flag)
  if (!Number.isInteger(number)) throw new Error(`--${flag} takes whole numbers`)
  return number
}

function shapesOf(value: string): ShapeName[] {
  if (value === 'both') return [...shapeNames]
  if ((shapeNames as readonly string[]).includes(value)) return [value as ShapeName]
  throw new Error(`--shape: unknown "${value}" (one of ${shapeNames.join(', ')}, both)`)
}

/** The command line's flags (`parseArgs`). */
const optionSpec = {
  help: { type: 'boolean', short: 'h' },
  quick: { type: 'boolean' },
  shape: { type: 'string' },
  stacks: { type: 'string' },
  agents: { type: 'string' },
  scenarios: { type: 'string' },
  warmup: { type: 'string' },
  'first-warmup': { type: 'string' },
  rounds: { type: 'string' },
  duration: { type: 'string' },
  'pace-ms': { type: 'string' },
  'poll-ms': { type: 'string' },
  batch: { type: 'string' },
  'batch-wait-ms': { type: 'string' },
  ledger: { type: 'string' },
  price: { type: 'string' },
  accounts: { type: 'string' },
  'no-gas': { type: 'boolean' },
  preemptive: { type: 'boolean' },
  'pre-mine': { type: 'string' },
  'cpu-prof': { type: 'string' },
  trace: { type: 'boolean' },
  json: { type: 'string' },
} as const

/** Reads the command line; throws on anything unknown or malformed. */
export function parseOptions(argv: readonly string[]): BenchOptions & { help: boolean } {
  const { values } = parseArgs({
    // `pnpm run bench -- --quick` passes the `--` on.
    args: argv[0] === '--' ? argv.slice(1) : [...argv],
    options: optionSpec,
    strict: true,
    allowPositionals: false,
  })
  const quick = values.quick ?? false
  const agents = [
    ...new Set(
      (values.agents ?? (quick ? '16' : '1,16,64')).split(',').map((a) => whole(a, 'agents')),
    ),
  ]
  if (values.price !== undefined && !/^[1-9][0-9]*$/.test(values.price))
    throw new Error('--price takes atomic units (a whole number)')
  const [ledger = 'full', ...extra] = list(values.ledger ?? 'full', ledgerKinds, 'ledger')
  if (extra.length > 0) throw new Error('--ledger takes one kind')
  const [accounts = 'tollgate', ...more] = list(
    values.accounts ?? 'tollgate',
    accountKinds,
    'accounts',
  )
  if (more.length > 0) throw new Error('--accounts takes one kind')
  const scenarios = list(
    values.scenarios ?? (quick ? 'instant,1s-paced' : scenarioNames.join(',')),
    scenarioNames,
    'scenarios',
  )
  return {
    help: values.help ?? false,
    quick,
    shapes: shapesOf(values.shape ?? 'multi'),
    stacks: list(values.stacks ?? stackNames.join(','), stackNames, 'stacks'),
    agents,
    // Instant mining first, then 1-second blocks: the devnet switches mining mode once.
    scenarios: scenarioNames.filter((s) => scenarios.includes(s)),
    warmup: positive(values.warmup ?? (quick ? '0.5' : '0.7'), 'warmup'),
    firstWarmup: positive(values['first-warmup'] ?? (quick ? '1.5' : '10'), 'first-warmup'),
    duration: positive(values.duration ?? (quick ? '2' : '8'), 'duration'),
    rounds: whole(values.rounds ?? (quick ? '2' : '3'), 'rounds'),
    paceMs: positive(values['pace-ms'] ?? '1000', 'pace-ms'),
    pollMs: positive(values['poll-ms'] ?? '100', 'poll-ms'),
    batch: whole(values.batch ?? '50', 'batch'),
    batchWaitMs:
      values['batch-wait-ms'] === undefined
        ? undefined
        : positive(values['batch-wait-ms'], 'batch-wait-ms'),
    ledger,
    accounts,
    price: BigInt(values.price ?? '1000'),
    gas: !(values['no-gas'] ?? false),
    preemptive: values.preemptive ?? false,
    preMine: ['0', undefined].includes(values['pre-mine'])
      ? 0
      : whole(values['pre-mine']!, 'pre-mine'),
    cpuProf: values['cpu-prof'],
    trace: values.trace ?? false,
    json: values.json,
  }
}
