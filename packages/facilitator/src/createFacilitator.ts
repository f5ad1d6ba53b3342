import type {
  FacilitatorRequest,
  SettlementMode,
  SettleParameters,
  SettleResponse,
  SupportedResponse,
  VerifyResponse,
} from '@tollgate/core'
import type { LocalAccount } from 'viem'
import { createChainRuntime, type FacilitatorChainConfig } from './chain/createChainRuntime.js'
import type { RpcObservation } from './chain/observeRpc.js'
import type { ChainRuntime } from './chain/types.js'
import { FacilitatorClosedError, FacilitatorConfigError } from './errors.js'
import {
  type OperationsContext,
  readHealth,
  readStatus,
  settleRequest,
  verifyRequest,
} from './facilitatorOperations.js'
import {
  createFacilitatorApp,
  type FacilitatorApp,
  type FacilitatorHttpParameters,
} from './http/createFacilitatorApp.js'
import { createMetricsRegistry, type MetricsRegistry } from './http/metrics.js'
import { shareNodeHandler } from './http/nodeHandler.js'
import { observeRpcMetrics, registerFacilitatorMetrics } from './http/registerFacilitatorMetrics.js'
import type { AuthorizationKey, Ledger } from './ledger/types.js'
import type { FeeStrategyParameters } from './settlement/createFeeStrategy.js'
import { createSettlementEvents } from './settlement/createSettlementEvents.js'
import type { SettlerParameters } from './settlement/createSettler.js'
import type { SettlementGas } from './settlement/encodeSettlement.js'
import { supportedKinds } from './supportedKinds.js'
import type { SettlementStatus } from './toSettlementStatus.js'

/** Options of {@link createFacilitator}. */
export type CreateFacilitatorParameters = {
  /** Where settlements live (`createSqliteLedger`, `createPostgresLedger`). The caller closes it. */
  ledger: Ledger
  chains: readonly FacilitatorChainConfig[]
  /** Accounts that send settlement transactions (each chain may name its own). */
  signers: readonly LocalAccount[]
  /** When `/settle` answers, unless the request says (`settlement`). @default 'submitted' */
  mode?: SettlementMode | undefined
  batch?: SettlerParameters['batch']
  /** How long `/settle` waits for its mode before answering `settlement_pending`, in ms. @default 30_000 */
  settleTimeoutMs?: number | undefined
  /** How long a `/verify` reservation holds when no `/settle` comes, in ms. @default 300_000 */
  holdMs?: number | undefined
  /**
   * Most a payer may have verified, queued or in flight and not yet confirmed, per token (atomic
   * units): what a server that serves on `queued` can lose to one payer.
   */
  exposureCap?: bigint | undefined
  /**
   * Check balances (cached) before accepting a payment. Without it `/supported` does not offer
   * `queued`: nothing would bound what a queued answer serves.
   * @default true
   */
  checkBalance?: boolean | undefined
  /**
   * Names this instance in the ledger's leases; keep it stable across restarts so a restarted
   * instance takes its rows back at once. Instances sharing a database need distinct signers.
   * @default 'tollgate'
   */
  instanceId?: string | undefined
  gas?: SettlementGas | undefined
  fees?: FeeStrategyParameters | undefined
  /** Tuning of the settlement workers (leases, rebroadcast and replacement delays, retries). */
  settler?:
    | Pick<
        SettlerParameters,
        | 'leaseMs'
        | 'idleMs'
        | 'rebroadcastAfterMs'
        | 'replaceAfterMs'
        | 'maxAttempts'
        | 'expiryMarginSeconds'
        | 'sweepMs'
        | 'logLookbackBlocks'
        | 'logPageSizeBlocks'
      >
    | undefined
  http?: FacilitatorHttpParameters | undefined
  /**
   * Errors the facilitator recovers from: background work (RPC failures, which are retried) and
   * HTTP requests answered 5xx (a `FacilitatorRequestError` with the failure as `cause`). RPC URLs
   * in them are reduced to their origin: no API key reaches this callback.
   */
  onError?: ((error: unknown) => void) | undefined
  /** The clock, in milliseconds since the epoch. @default Date.now */
  now?: (() => number) | undefined
}

/** The `/health` answer: `ok` once started with a head on every chain. */
export type FacilitatorHealth = {
  status: 'ok' | 'degraded'
  ledger: Ledger['kind']
  chains: {
    chainId: number
    head: string | null
    /** Seconds since the head's timestamp. */
    headAgeSeconds: number | null
    inFlight: number
  }[]
}

/** A running facilitator: the engine and its HTTP app (`fetch`). */
export type Facilitator = FacilitatorApp & {
  readonly ledger: Ledger
  readonly chains: ReadonlyMap<number, ChainRuntime>
  readonly metrics: MetricsRegistry
  verify(request: FacilitatorRequest): Promise<VerifyResponse>
  /** Settles; `settlement` (a Tollgate extension) overrides the facilitator's `mode`. */
  settle(request: SettleParameters): Promise<SettleResponse>
  /** The `/supported` answer: every chain in v2 (CAIP-2) and, where it has one, its v1 name. */
  supported(options?: { x402Version?: 1 | undefined }): SupportedResponse
  status(query: { key: AuthorizationKey } | { paymentId: string }): Promise<SettlementStatus[]>
  health(): Promise<FacilitatorHealth>
  /**
   * Starts the head watchers and settlers, recovering any unfinished work. Idempotent; a start
   * that failed is tried again by the next call. Rejects with `FacilitatorClosedError` after `close()`.
   */
  start(): Promise<void>
  /** Stops the background work for good (the ledger stays open; the caller closes it). */
  close(): Promise<void>
}

/** What {@link createFacilitator} throws: a configuration it cannot run. */
export type CreateFacilitatorErrorType = FacilitatorConfigError

/** Builds every chain's runtime (client, watcher, balances, settler), checking the configuration. */
function createChains(
  parameters: CreateFacilitatorParameters,
  shared: Pick<Parameters<typeof createChainRuntime>[0], 'ledger' | 'events' | 'onError'> & {
    instanceId: string
    now: () => number
    /** Each chain's RPC exchanges, by chain. */
    onRpc: (chainId: number, observation: RpcObservation) => void
  },
): Map<number, ChainRuntime> {
  if (parameters.chains.length === 0)
    throw new FacilitatorConfigError({ field: 'chains', reason: 'No chain is configured.' })
  const chains = new Map<number, ChainRuntime>()
  const { onRpc, ...rest } = shared
  for (const config of parameters.chains) {
    if (chains.has(config.chainId))
      throw new FacilitatorConfigError({
        field: 'chains',
        chainId: config.chainId,
        reason: 'configured twice.',
      })
    const settler = { ...parameters.settler, batch: parameters.batch, gas: parameters.gas }
    chains.set(
      config.chainId,
      createChainRuntime({
        ...rest,
        onRpc: (observation) => onRpc(config.chainId, observation),
        config,
        signers: parameters.signers,
        settler: { ...settler, fees: parameters.fees },
      }),
    )
  }
  return chains
}

/**
 * Starting and stopping the chains: `start()` once (again after a failed start), `close()` for
 * good, waiting for a start in progress.
 */
function createLifecycle(chains: ReadonlyMap<number, ChainRuntime>) {
  let started: Promise<void> | undefined
  let closed: Promise<void> | undefined
  const runtimes = [...chains.values()]
  return {
    get running() {
      return started !== undefined && closed === undefined
    },
    start(): Promise<void> {
      if (closed) return Promise.reject(new FacilitatorClosedError())
      started ??= (async () => {
        for (const chain of runtimes) chain.watcher.start()
        await Promise.all(runtimes.map((chain) => chain.settler.start()))
      })().catch((error: unknown) => {
        started = undefined
        throw error
      })
      return started
    },
    close(): Promise<void> {
      closed ??= (async () => {
        await started?.catch(() => undefined)
        await Promise.all(runtimes.map((chain) => chain.watcher.stop()))
        await Promise.all(runtimes.map((chain) => chain.settler.stop()))
      })()
      return closed
    },
  }
}

/**
 * Creates a facilitator: local verification against a durable ledger, and exactly-once, batched
 * settlement in the background. Serve it with `serveFacilitator` (Node) or any server that takes
 * a Web `fetch` handler.
 *
 * @example
 * import { createFacilitator, createSqliteLedger, serveFacilitator } from '@tollgate/facilitator'
 * import { privateKeyToAccount } from 'viem/accounts'
 *
 * const facilitator = createFacilitator({
 *   ledger: await createSqliteLedger('./facilitator.db'),
 *   chains: [{ chainId: 84532, rpcUrls: ['https://sepolia.base.org'] }],
 *   signers: [privateKeyToAccount(process.env.FACILITATOR_KEY as `0x${string}`)],
 *   mode: 'submitted',
 * })
 * await serveFacilitator(facilitator, { port: 4020 })
 */
export function createFacilitator(parameters: CreateFacilitatorParameters): Facilitator {
  const {
    ledger,
    mode = 'submitted',
    settleTimeoutMs = 30_000,
    holdMs = 300_000,
    exposureCap,
    checkBalance = true,
    instanceId = 'tollgate',
    onError = () => {},
    now = Date.now,
  } = parameters
  const events = createSettlementEvents(ledger)
  const metrics = createMetricsRegistry()
  const onRpc = observeRpcMetrics(metrics)
  const chains = createChains(parameters, { ledger, events, onError, instanceId, now, onRpc })
  const counters = registerFacilitatorMetrics(metrics, { ledger, chains })
  const lifecycle = createLifecycle(chains)
  const engine = { ledger, chains, events, holdMs, exposureCap, checkBalance, now }
  const operations: OperationsContext = {
    engine: { ...engine, timeoutMs: settleTimeoutMs, onError },
    counters,
    lifecycle,
    mode,
  }
  const queued = checkBalance && ledger.durable !== false
  const service: Omit<Facilitator, 'fetch'> = {
    ledger,
    chains,
    metrics,
    verify: (request) => verifyRequest(operations, request),
    settle: (request) => settleRequest(operations, request),
    supported: ({ x402Version } = {}) =>
      supportedKinds({ chains: [...chains.values()], queued, x402Version }),
    status: (query) => readStatus(engine, query),
    health: async () => readHealth(operations),
    start: () => lifecycle.start(),
    close: () => lifecycle.close(),
  }
  const app = createFacilitatorApp(service, { ...parameters.http, onError, now })
  // The app's Node handler comes along, out of sight, for `serveFacilitator`.
  return shareNodeHandler(app, Object.assign(service, { fetch: app.fetch }))
}
