// Settlement benchmark: the x402 reference stack and Tollgate side by side on one devnet.
// See README.md for what runs where and what each column means.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { type Devnet, startDevnet } from '@tollgate/contracts/devnet'
import { type Address, erc20Abi, type Hex, parseEventLogs, type TransactionReceipt } from 'viem'
import { type AgentAccount, agentAccountOf } from './src/accounts.js'
import { balanceOf, totalBalance, waitForBalance } from './src/balances.js'
import { collectGarbage } from './src/collectGarbage.js'
import { startCpuProfile } from './src/cpuRoles.js'
import { deployBatchSettler } from './src/deployBatchSettler.js'
import { startInProcess } from './src/inProcessRole.js'
import { type GasMeasurement, measureGas } from './src/measureGas.js'
import {
  type BenchOptions,
  blockTimeOf,
  parseOptions,
  type ShapeName,
  type StackName,
  stackNames,
  usage,
} from './src/options.js'
import { createReferenceAgent, createTollgateAgent, type PayingAgent } from './src/payingFetch.js'
import { percentile } from './src/percentile.js'
import { sampleProcessCpu } from './src/processCpu.js'
import {
  type BalanceCheck,
  type CellRecord,
  evaluateTargets,
  formatBalanceChecks,
  formatDetailTable,
  formatGas,
  formatSharedLibraries,
  formatTargets,
  formatThroughputTable,
  scenarioLabels,
} from './src/report.js'
import type { BenchToken, RoleConfig } from './src/roles.js'
import { mergeSlices, runSlice, type SliceResult } from './src/runSlice.js'
import { setMining } from './src/setMining.js'
import { forkRole, type SpawnedRole } from './src/spawnRole.js'

/** A server about to start: forked already (multi-process shape) or started in this process (single). */
type PreparedRole = { start(config: RoleConfig): Promise<SpawnedRole>; stop(): Promise<void> }

function prepareRole(
  shape: ShapeName,
  kind: RoleConfig['kind'],
  cpuProfileDir: string | undefined,
): PreparedRole {
  if (shape === 'multi') return forkRole(kind, { cpuProfileDir })
  let started: SpawnedRole | undefined
  return {
    async start(config) {
      started = await startInProcess(config)
      return started
    },
    stop: async () => started?.stop(),
  }
}

const maxRequestsPerAgent = 20_000
const drainTimeoutMs = 60_000
/** Batch sizes of the gas measurement (the target is about batches of 20 or more). */
const gasBatchSizes = [20, 50]

function log(line: string) {
  process.stdout.write(`${line}\n`)
}

function randomAddress(): Address {
  return `0x${Buffer.from(crypto.getRandomValues(new Uint8Array(20))).toString('hex')}` as Address
}

async function receiptsOf(devnet: Devnet, hashes: readonly Hex[]): Promise<TransactionReceipt[]> {
  const receipts: TransactionReceipt[] = []
  for (let i = 0; i < hashes.length; i += 50)
    receipts.push(
      ...(await Promise.all(
        hashes.slice(i, i + 50).map((hash) => devnet.publicClient.getTransactionReceipt({ hash })),
      )),
    )
  return receipts
}

/** Gas per payment of a cell's transactions: their gas over the transfers to the payee they made. */
function gasPerPayment(receipts: readonly TransactionReceipt[], token: Address, payTo: Address) {
  let gas = 0n
  let payments = 0
  for (const receipt of receipts) {
    gas += receipt.gasUsed
    payments += parseEventLogs({ abi: erc20Abi, eventName: 'Transfer', logs: receipt.logs }).filter(
      (log) =>
        log.address.toLowerCase() === token.toLowerCase() &&
        log.args.to.toLowerCase() === payTo.toLowerCase(),
    ).length
  }
  return payments ? Number(gas) / payments : Number.NaN
}

/** One stack, running: its two servers, its agents, its payee, and what it was paid so far. */
type RunningStack = {
  shape: ShapeName
  stack: StackName
  facilitator: SpawnedRole
  api: SpawnedRole
  url: string
  agents: PayingAgent[]
  payTo: Address
  paid: number
  /** Settlement transactions already counted in a cell. */
  seen: Set<Hex>
  /** Whether a slice ran on these servers yet (the first warms up for `firstWarmup`). */
  sliced: boolean
  stop(): Promise<void>
}

/** The facilitator role of `stack`: the reference's, or ours in the stack's mode. */
function facilitatorConfig(
  devnet: Devnet,
  options: BenchOptions,
  where: {
    stack: StackName
    token: BenchToken
    batchSettler: Address
    signerKey: Hex
    ledgerPath: string
  },
): RoleConfig {
  const { stack, token, signerKey } = where
  const common = {
    rpcUrl: devnet.rpcUrl,
    token,
    signerKey,
    accounts: options.accounts,
    pollingMs: options.pollMs,
    trace: options.trace,
  }
  if (stack === 'reference') return { kind: 'reference-facilitator', ...common }
  return {
    kind: 'tollgate-facilitator',
    ...common,
    mode: stack,
    batchSettler: where.batchSettler,
    batchMaxSize: options.batch,
    batchMaxWaitMs: options.batchWaitMs ?? (stack === 'queued' ? 1_000 : 0),
    ledgerPath: options.ledger === 'memory' ? ':memory:' : where.ledgerPath,
    ledgerSync: options.ledger === 'normal' ? 'normal' : 'full',
  }
}

/** One agent of `stack`: the reference client, or ours (pre-emptive with `--preemptive`). */
function createAgent(
  stack: StackName,
  { account }: AgentAccount,
  token: BenchToken,
  options: BenchOptions,
): PayingAgent {
  if (stack === 'reference') return createReferenceAgent(account, token)
  return createTollgateAgent(account, token, { preemptive: options.preemptive })
}

/**
 * Starts a stack's facilitator, then its paid API: each in its own child process (both forked at
 * once so that their module loading overlaps), or both in this process (`single`).
 */
async function startStack(
  devnet: Devnet,
  options: BenchOptions,
  {
    shape,
    stack,
    token,
    batchSettler,
    signerKey,
    ledgerPath,
    agentAccounts,
  }: {
    shape: ShapeName
    stack: StackName
    token: BenchToken
    batchSettler: Address
    signerKey: Hex
    ledgerPath: string
    agentAccounts: AgentAccount[]
  },
): Promise<RunningStack> {
  const reference = stack === 'reference'
  const forkedFacilitator = prepareRole(
    shape,
    reference ? 'reference-facilitator' : 'tollgate-facilitator',
    options.cpuProf,
  )
  const forkedApi = prepareRole(
    shape,
    reference ? 'reference-api' : 'tollgate-api',
    options.cpuProf,
  )
  const stop = async () => {
    await forkedApi.stop()
    await forkedFacilitator.stop()
  }
  const payTo = randomAddress()
  try {
    const facilitator = await forkedFacilitator.start(
      facilitatorConfig(devnet, options, { stack, token, batchSettler, signerKey, ledgerPath }),
    )
    const api = await forkedApi.start({
      kind: reference ? 'reference-api' : 'tollgate-api',
      facilitatorUrl: facilitator.url,
      token,
      payTo,
      price: options.price.toString(),
      trace: options.trace,
    })
    return {
      shape,
      stack,
      facilitator,
      api,
      url: `${api.url}/paid`,
      agents: agentAccounts.map((a) => createAgent(stack, a, token, options)),
      payTo,
      paid: 0,
      sliced: false,
      seen: new Set(),
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

type SliceOutcome = SliceResult & { cpuMs: Record<string, number | undefined>; drainMs: number }

/**
 * CPU ms of each role during `run`. Multi-process: each process from /proc (`agents` is this
 * process). Single-process: a V8 profile of this process split by role (see cpuRoles.ts), with
 * `process` its /proc total and `unsampled` what the profile did not see (other threads: libuv's
 * pool, V8's helpers; the profiler itself).
 */
async function measureCpu<value>(
  running: RunningStack,
  anvilPid: number,
  run: () => Promise<value>,
): Promise<[value, Record<string, number | undefined>]> {
  if (running.shape === 'multi') {
    const cpu = sampleProcessCpu({
      agents: process.pid,
      api: running.api.pid,
      facilitator: running.facilitator.pid,
      anvil: anvilPid,
    })
    const value = await run()
    return [value, cpu.stop()]
  }
  const cpu = sampleProcessCpu({ process: process.pid, anvil: anvilPid })
  const profile = await startCpuProfile()
  const value = await run()
  const { buckets, sharedByLibrary } = await profile.stop()
  const { process: processMs, anvil } = cpu.stop()
  const { idle: _idle, ...busy } = buckets
  const sampled = Object.values(busy).reduce((sum, ms) => sum + ms, 0)
  return [
    value,
    {
      ...busy,
      ...Object.fromEntries(
        Object.entries(sharedByLibrary).map(([library, ms]) => [`shared:${library}`, ms]),
      ),
      anvil,
      process: processMs,
      unsampled: processMs === undefined ? undefined : processMs - sampled,
    },
  ]
}

/** One slice of one stack's cell; waits until the payee holds every payment made so far. */
async function runStackSlice(
  devnet: Devnet,
  options: BenchOptions,
  token: BenchToken,
  running: RunningStack,
  { agents, paceMs }: { agents: number; paceMs: number | undefined },
): Promise<SliceOutcome> {
  const warmup = running.sliced ? options.warmup : options.firstWarmup
  running.sliced = true
  collectGarbage()
  const [slice, cpuMs] = await measureCpu(running, devnet.pid, () =>
    runSlice({
      agents: running.agents.slice(0, agents),
      url: running.url,
      warmupMs: warmup * 1000,
      durationMs: (options.duration * 1000) / options.rounds,
      maxRequestsPerAgent,
      paceMs,
    }),
  )
  running.paid += slice.paid
  // Queued payments land after their answers: the next slice (maybe another stack's) starts on a
  // quiet chain, and a payment lost or paid twice shows up here already.
  const expected = BigInt(running.paid) * options.price
  const drained = await waitForBalance(devnet, token.address, running.payTo, expected, {
    timeoutMs: drainTimeoutMs,
  })
  if (!drained.reached)
    log(
      `!! ${running.shape} ${running.stack}: the payee holds ${drained.balance} after ${drained.waitedMs.toFixed(0)} ms, expected ${expected}`,
    )
  return { ...slice, cpuMs, drainMs: drained.waitedMs }
}

/** The devnet's current mining: the shapes share it, and switch it only when a scenario needs. */
type Mining = { blockTime: number | undefined }

/** A cell's record from its slices: counts, latencies, fresh transactions and their gas, CPU. */
async function recordCell(
  devnet: Devnet,
  token: BenchToken,
  running: RunningStack,
  outcomes: readonly SliceOutcome[],
  { scenario, agents }: { scenario: CellRecord['scenario']; agents: number },
): Promise<CellRecord> {
  const merged = mergeSlices(outcomes)
  const hashes = new Set(merged.transactions)
  // Our facilitator's ledger names every transaction (queued answers carry none).
  if (running.stack !== 'reference')
    for (const hash of await running.facilitator.transactions()) hashes.add(hash)
  const fresh = [...hashes].filter((hash) => !running.seen.has(hash))
  for (const hash of fresh) running.seen.add(hash)
  const cpuPerPaid: Record<string, number | undefined> = {}
  for (const name of new Set(outcomes.flatMap((o) => Object.keys(o.cpuMs)))) {
    // A library absent from a slice's profile took no time in it.
    const values = outcomes.map((o) => (name in o.cpuMs ? o.cpuMs[name] : 0))
    cpuPerPaid[name] = values.every((v) => v !== undefined)
      ? values.reduce((sum, v) => sum + v!, 0) / Math.max(merged.paid, 1)
      : undefined
  }
  const cell: CellRecord = {
    shape: running.shape,
    scenario,
    stack: running.stack,
    agents,
    rps: merged.windowMs > 0 ? (merged.latencies.length * 1000) / merged.windowMs : 0,
    p50: percentile(merged.latencies, 50),
    p99: percentile(merged.latencies, 99),
    paid: merged.paid,
    errors: merged.errors,
    errorSamples: merged.errorSamples,
    drainMs: Math.max(...outcomes.map((o) => o.drainMs)),
    transactions: fresh.length,
    gasPerPayment: gasPerPayment(await receiptsOf(devnet, fresh), token.address, running.payTo),
    cpuPerPaid,
    load: loadavg()[0]!,
    roundRps: outcomes.map((o) => (o.windowMs > 0 ? (o.latencies.length * 1000) / o.windowMs : 0)),
  }
  log(
    `   ${running.shape.padEnd(7)}${scenarioLabels[scenario].padEnd(11)}${running.stack.padEnd(10)}${String(agents).padStart(3)} agents: ${cell.rps.toFixed(1).padStart(7)} req/s  p50 ${cell.p50.toFixed(0).padStart(5)} ms  p99 ${cell.p99.toFixed(0).padStart(5)} ms  paid ${cell.paid}  errors ${cell.errors}  txs ${cell.transactions}  load ${cell.load.toFixed(1)}`,
  )
  for (const sample of merged.errorSamples) log(`      error: ${sample}`)
  return cell
}

/** Every scenario and concurrency of one shape, the running stacks taking turns slice by slice. */
async function runShape(
  devnet: Devnet,
  options: BenchOptions,
  token: BenchToken,
  stacks: readonly RunningStack[],
  mining: Mining,
): Promise<CellRecord[]> {
  const cells: CellRecord[] = []
  for (const scenario of options.scenarios) {
    if (blockTimeOf(scenario) !== mining.blockTime) {
      mining.blockTime = blockTimeOf(scenario)
      await setMining(devnet, mining.blockTime)
    }
    const paceMs = scenario === '1s-paced' ? options.paceMs : undefined
    for (const agents of options.agents) {
      const slices = new Map<StackName, SliceOutcome[]>(stacks.map((s) => [s.stack, []]))
      // The stacks take turns, slice by slice, starting one further each round.
      for (let round = 0; round < options.rounds; round++)
        for (let turn = 0; turn < stacks.length; turn++) {
          const running = stacks[(round + turn) % stacks.length]!
          slices
            .get(running.stack)!
            .push(await runStackSlice(devnet, options, token, running, { agents, paceMs }))
        }
      for (const running of stacks)
        cells.push(
          await recordCell(devnet, token, running, slices.get(running.stack)!, {
            scenario,
            agents,
          }),
        )
    }
  }
  return cells
}

async function main() {
  let options: ReturnType<typeof parseOptions>
  try {
    options = parseOptions(process.argv.slice(2))
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}`)
    process.exit(2)
  }
  if (options.help) {
    process.stdout.write(usage)
    return
  }
  const started = performance.now()
  const machine = describeMachine()
  logRun(options, machine)
  const run = await runBench(options, started)
  const targets = options.shapes.map((shape) => ({
    shape,
    targets: evaluateTargets(
      run.cells.filter((c) => c.shape === shape),
      run.gas,
      { pollMs: options.pollMs },
    ),
  }))
  logReport(options, machine, run, targets)
  log(
    `\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s; load average at the end ${loadAverage()}; chain height ${run.chainHeight.start} -> ${run.chainHeight.end} (anvil rebuilds its whole state trie every block, so a block costs more with every payment made before it: bench/anvilBlocks.ts)`,
  )
  if (options.json)
    writeFileSync(
      options.json,
      JSON.stringify(
        { date: new Date().toISOString(), machine, options, ...run, targets },
        (_key, value) => (typeof value === 'bigint' ? value.toString() : value),
        2,
      ),
    )
  const failed = run.checks.filter((check) => !check.ok)
  if (failed.length > 0 || !run.payersOk) {
    process.stderr.write(
      `\nBALANCE CHECK FAILED${failed.length ? ` for ${failed.map((c) => `${c.shape} ${c.stack}`).join(', ')}` : ' for the agents'}: a payment was lost or paid twice.\n`,
    )
    process.exit(1)
  }
}

type Options = ReturnType<typeof parseOptions>

/** What a run measured: every cell, the balance checks, the gas (when measured). */
type BenchRun = {
  cells: CellRecord[]
  checks: BalanceCheck[]
  gas: GasMeasurement | undefined
  payersSpent: bigint
  payersOk: boolean
  /** The devnet's block number after its setup and at the end: anvil's blocks cost more as it grows. */
  chainHeight: { start: bigint; end: bigint }
}

function describeMachine(): string {
  const cpu = cpus()
  return `${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${process.platform}-${process.arch}`
}

function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
}

function logRun(options: Options, machine: string): void {
  log(`Settlement benchmark, ${new Date().toISOString()}`)
  log(`machine: ${machine}; load average at start ${loadAverage()}`)
  log(
    `cells: stacks ${options.stacks.join(',')}; agents ${options.agents.join(',')}; scenarios ${options.scenarios.join(',')}; ${options.duration} s measured per cell in ${options.rounds} slices, ${options.warmup} s warm-up per slice (${options.firstWarmup} s for a stack's first); pace ${options.paceMs} ms; price ${options.price} atomic; polling ${options.pollMs} ms; batches of up to ${options.batch} (wait ${options.batchWaitMs ?? '1000 queued, 0 others'} ms); our ledger ${options.ledger}${options.preemptive ? '; our agents pay pre-emptively' : ''}`,
  )
}

/**
 * One devnet for every scenario: instant mining, then 1-second blocks. Payers first (the agents,
 * and enough distinct payers to fill the largest gas batch), then one gas account per stack (no
 * stack ever waits on another's nonces), then the gas measurement's sender. The shapes run one
 * after the other; every stack's servers run for the whole of its shape (an idle one costs a few
 * polls a second). Ends with the balance checks.
 */
async function runBench(options: Options, started: number): Promise<BenchRun> {
  const maxAgents = Math.max(...options.agents)
  const sliceCount = options.scenarios.length * options.agents.length * options.rounds
  const mint =
    BigInt(maxRequestsPerAgent * sliceCount * options.stacks.length * options.shapes.length) *
    options.price
  const ledgerDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'))
  const cells: CellRecord[] = []
  let gas: GasMeasurement | undefined
  const stacks: RunningStack[] = []
  try {
    const payerCount = Math.max(maxAgents, ...gasBatchSizes)
    await using devnet = await startDevnet({
      accounts: payerCount + stackNames.length + 1,
      mint,
    })
    const token: BenchToken = devnet.usdc
    const batchSettler = await deployBatchSettler(devnet)
    log(`\nanvil pid ${devnet.pid}, test USDC ${token.address}, BatchSettler ${batchSettler}`)
    // In steps: one call for thousands of blocks outlasts the client's timeout.
    for (let left = options.preMine; left > 0; left -= 500)
      await devnet.testClient.mine({ blocks: Math.min(left, 500) })
    const startHeight = await devnet.publicClient.getBlockNumber()
    if (options.gas) {
      gas = await measureGas(devnet, {
        token,
        batchSettler,
        payers: devnet.accounts.slice(0, payerCount),
        sender: devnet.accounts[payerCount + stackNames.length]!,
        price: options.price,
        singles: 20,
        batchSizes: gasBatchSizes,
      })
      log(formatGas(gas))
    }
    const agentAccounts = devnet.accounts
      .slice(0, maxAgents)
      .map((a) => agentAccountOf(a, options.accounts))
    const agentAddresses = agentAccounts.map((a) => a.address)
    const payersBefore = await totalBalance(devnet, token.address, agentAddresses)
    const payees = new Map<string, Address>()
    const mining: Mining = { blockTime: undefined }
    for (const shape of options.shapes) {
      for (const stack of options.stacks)
        stacks.push(
          await startStack(devnet, options, {
            shape,
            stack,
            token,
            batchSettler,
            signerKey: devnet.accounts[payerCount + stackNames.indexOf(stack)]!.privateKey,
            ledgerPath: join(ledgerDir, `${shape}-${stack}.sqlite`),
            agentAccounts,
          }),
        )
      log(
        `\n${shape}-process shape: servers up after ${((performance.now() - started) / 1000).toFixed(0)} s`,
      )
      cells.push(...(await runShape(devnet, options, token, stacks, mining)))
      for (const running of stacks.splice(0)) {
        payees.set(`${shape}/${running.stack}`, running.payTo)
        await running.stop()
      }
    }
    // Anything late (a second transfer of one payment) would land within a block.
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    const checks = await checkPayees(devnet, options, { token, cells, payees })
    const payeesReceived = checks.reduce((sum, c) => sum + c.payeeReceived, 0n)
    const payersSpent = payersBefore - (await totalBalance(devnet, token.address, agentAddresses))
    const chainHeight = { start: startHeight, end: await devnet.publicClient.getBlockNumber() }
    return {
      cells,
      checks,
      gas,
      payersSpent,
      payersOk: payersSpent === payeesReceived,
      chainHeight,
    }
  } finally {
    for (const running of stacks) await running.stop()
    rmSync(ledgerDir, { recursive: true, force: true })
  }
}

/** Each stack's payee holds exactly what its paid requests cost. */
async function checkPayees(
  devnet: Parameters<typeof balanceOf>[0],
  options: Options,
  {
    token,
    cells,
    payees,
  }: { token: BenchToken; cells: CellRecord[]; payees: Map<string, Address> },
): Promise<BalanceCheck[]> {
  const checks: BalanceCheck[] = []
  for (const shape of options.shapes)
    for (const stack of options.stacks) {
      const paid = cells
        .filter((c) => c.shape === shape && c.stack === stack)
        .reduce((sum, c) => sum + c.paid, 0)
      const expected = BigInt(paid) * options.price
      const payeeReceived = await balanceOf(devnet, token.address, payees.get(`${shape}/${stack}`)!)
      checks.push({ shape, stack, paid, expected, payeeReceived, ok: payeeReceived === expected })
    }
  return checks
}

function logReport(
  options: Options,
  machine: string,
  run: BenchRun,
  targets: { shape: string; targets: ReturnType<typeof evaluateTargets> }[],
): void {
  const { cells, checks, gas, payersOk, payersSpent } = run
  log(
    `\nPaid requests per second and latency of a paid request (ms); ${new Date().toISOString().slice(0, 10)}; ${machine}`,
  )
  log(formatThroughputTable(cells, options.stacks))
  log(
    '\nPer cell (drain: ms from the end of a slice until the payee held every payment, worst slice)',
  )
  log(formatDetailTable(cells))
  const shared = formatSharedLibraries(cells)
  if (shared) {
    log(
      '\nSingle-process shape: the shared column by the innermost library of its samples (ms/paid)',
    )
    log(shared)
  }
  if (gas) {
    log('\nGas per payment (receipts; one payee with a balance, distinct payers)')
    log(formatGas(gas))
  }
  log(
    '\nBalances (each payee received exactly paid x price; the agents paid exactly what the payees got)',
  )
  log(formatBalanceChecks(checks))
  log(
    `${payersOk ? 'ok  ' : 'FAIL'} agents paid ${payersSpent} in all; the payees received ${checks.reduce((sum, c) => sum + c.payeeReceived, 0n)}`,
  )
  if (options.preemptive) {
    log('\nTargets: not judged, our agents paid pre-emptively (--preemptive; the goals measure the')
    log('default client, which pays after each 402, as the reference client does)')
    return
  }
  for (const { shape, targets: met } of targets) {
    log(`\nTargets, ${shape}-process shape`)
    log(formatTargets(met))
  }
}

await main()
