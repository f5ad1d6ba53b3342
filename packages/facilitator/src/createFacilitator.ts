import {
  type PaymentPayload,
  type PaymentPayloadV1,
  type PaymentRequirements,
  type PaymentRequirementsV1,
  paymentIdentifierKey,
  paymentIdSchema,
  type SettleResponse,
  type SupportedResponse,
  toV1Network,
  type VerifyResponse,
} from '@tollgate/core'
import type { Address, Hex, LocalAccount } from 'viem'
import { createChainRuntime, type FacilitatorChainConfig } from './chain/createChainRuntime.js'
import type { ChainRuntime } from './chain/types.js'
import { FacilitatorConfigError } from './errors.js'
import {
  createFacilitatorApp,
  type FacilitatorApp,
  type FacilitatorHttpParameters,
} from './http/createFacilitatorApp.js'
import { createMetricsRegistry, type MetricsRegistry } from './http/metrics.js'
import type { AuthorizationKey, Ledger, SettlementRecord, SettlementState } from './ledger/types.js'
import type { FeeStrategyParameters } from './settlement/createFeeStrategy.js'
import { createSettlementEvents } from './settlement/createSettlementEvents.js'
import type { SettlerParameters } from './settlement/createSettler.js'
import type { SettlementGas } from './settlement/encodeSettlement.js'
import { type SettlementMode, settlePayment } from './settlement/settlePayment.js'
import { verifyAndReserve } from './verify/verifyAndReserve.js'

/** A `/verify` or `/settle` input: a payment and its requirement, x402 v2 or v1. */
export type FacilitatorRequestBody =
  | { paymentPayload: PaymentPayload; paymentRequirements: PaymentRequirements }
  | { paymentPayload: PaymentPayloadV1; paymentRequirements: PaymentRequirementsV1 }

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
  /** Check balances (cached) before accepting a payment. @default true */
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
      >
    | undefined
  http?: FacilitatorHttpParameters | undefined
  /** Errors of the background work (RPC failures, ...), which is retried. */
  onError?: ((error: unknown) => void) | undefined
}

/** What the ledger knows about one settlement (the status endpoint's answer). */
export type SettlementStatus = {
  chainId: number
  network: string
  asset: Address
  payer: Address
  nonce: Hex
  payee: Address
  value: bigint
  state: SettlementState
  /** The transaction that carries (or carried) it; `''` before one exists. */
  transaction: string
  blockNumber: bigint | undefined
  /** Blocks on top of (and including) its block, as of the facilitator's head. */
  confirmations: bigint | undefined
  reason: string | undefined
  paymentId: string | undefined
  updatedAt: number
}

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
  verify(request: FacilitatorRequestBody): Promise<VerifyResponse>
  settle(
    request: FacilitatorRequestBody & { settlement?: SettlementMode | undefined },
  ): Promise<SettleResponse>
  /** The `/supported` answer: every chain in v2 (CAIP-2) and, where it has one, its v1 name. */
  supported(options?: { x402Version?: 1 | undefined }): SupportedResponse
  status(query: { key: AuthorizationKey } | { paymentId: string }): Promise<SettlementStatus[]>
  health(): Promise<FacilitatorHealth>
  /** Starts the head watchers and settlers, recovering any unfinished work. Idempotent. */
  start(): Promise<void>
  /** Stops the background work (the ledger stays open). */
  close(): Promise<void>
}

function paymentIdOf(payload: PaymentPayload | PaymentPayloadV1): string | undefined {
  if (payload.x402Version !== 2) return undefined
  const extension = payload.extensions?.[paymentIdentifierKey] as
    | { info?: { id?: unknown } }
    | undefined
  const parsed = paymentIdSchema.safeParse(extension?.info?.id)
  return parsed.success ? parsed.data : undefined
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
    signers,
    mode = 'submitted',
    settleTimeoutMs = 30_000,
    holdMs = 300_000,
    exposureCap,
    checkBalance = true,
    instanceId = 'tollgate',
    onError = () => {},
  } = parameters
  if (parameters.chains.length === 0) throw new FacilitatorConfigError('No chain is configured.')
  const events = createSettlementEvents(ledger)
  const metrics = createMetricsRegistry()
  const chains = new Map<number, ChainRuntime>()
  for (const config of parameters.chains) {
    if (chains.has(config.chainId))
      throw new FacilitatorConfigError(`Chain ${config.chainId} is configured twice.`)
    chains.set(
      config.chainId,
      createChainRuntime({
        config,
        ledger,
        events,
        signers,
        instanceId,
        settler: {
          ...parameters.settler,
          batch: parameters.batch,
          gas: parameters.gas,
          fees: parameters.fees,
        },
        onError,
      }),
    )
  }
  const context = {
    ledger,
    chains,
    events,
    holdMs,
    exposureCap,
    checkBalance,
    timeoutMs: settleTimeoutMs,
  }

  const verifications = metrics.counter(
    'tollgate_facilitator_verifications_total',
    'Verifications by result and reason.',
  )
  const settlements = metrics.counter(
    'tollgate_facilitator_settlements_total',
    'Settle answers by mode, result and reason.',
  )
  metrics.collect(async () => {
    const counts = await ledger.counts()
    const perChain = [...chains.values()].map((chain) => ({ chain, stats: chain.settler.stats }))
    const stat = (name: keyof ChainRuntime['settler']['stats']) =>
      perChain.map(({ chain, stats }) => ({ labels: { chain: chain.chainId }, value: stats[name] }))
    return [
      {
        name: 'tollgate_facilitator_ledger_rows',
        help: 'Ledger rows by settlement state.',
        type: 'gauge',
        samples: Object.entries(counts).map(([state, value]) => ({ labels: { state }, value })),
      },
      {
        name: 'tollgate_facilitator_chain_head',
        help: 'Latest block seen per chain.',
        type: 'gauge',
        samples: [...chains.values()].map((chain) => ({
          labels: { chain: chain.chainId },
          value: Number(chain.watcher.head?.number ?? 0n),
        })),
      },
      {
        name: 'tollgate_facilitator_transactions_sent_total',
        help: 'Settlement transactions sent.',
        type: 'counter',
        samples: stat('transactionsSent'),
      },
      {
        name: 'tollgate_facilitator_items_sent_total',
        help: 'Authorizations put in transactions.',
        type: 'counter',
        samples: stat('itemsSent'),
      },
      {
        name: 'tollgate_facilitator_items_confirmed_total',
        help: 'Authorizations confirmed on-chain.',
        type: 'counter',
        samples: stat('itemsConfirmed'),
      },
      {
        name: 'tollgate_facilitator_items_failed_total',
        help: 'Authorizations that failed for good.',
        type: 'counter',
        samples: stat('itemsFailed'),
      },
      {
        name: 'tollgate_facilitator_items_requeued_total',
        help: 'Authorizations sent back to the queue.',
        type: 'counter',
        samples: stat('itemsRequeued'),
      },
      {
        name: 'tollgate_facilitator_rebroadcasts_total',
        help: 'Transactions broadcast again.',
        type: 'counter',
        samples: stat('rebroadcasts'),
      },
      {
        name: 'tollgate_facilitator_replacements_total',
        help: 'Fee-bumped replacements.',
        type: 'counter',
        samples: stat('replacements'),
      },
      {
        name: 'tollgate_facilitator_reorgs_total',
        help: 'Reorgs noticed.',
        type: 'counter',
        samples: stat('reorgs'),
      },
      {
        name: 'tollgate_facilitator_transactions_in_flight',
        help: 'Transactions without a receipt.',
        type: 'gauge',
        samples: stat('tracked'),
      },
      {
        name: 'tollgate_facilitator_balance_cache_entries',
        help: 'Payer balances held.',
        type: 'gauge',
        samples: [...chains.values()].map((chain) => ({
          labels: { chain: chain.chainId },
          value: chain.balances.size,
        })),
      },
    ]
  })

  let started: Promise<void> | undefined
  function start(): Promise<void> {
    started ??= (async () => {
      for (const chain of chains.values()) chain.watcher.start()
      await Promise.all([...chains.values()].map((chain) => chain.settler.start()))
    })().catch((error: unknown) => {
      started = undefined
      throw error
    })
    return started
  }

  function toStatus(record: SettlementRecord): SettlementStatus {
    const head = chains.get(record.chainId)?.watcher.head?.number
    return {
      chainId: record.chainId,
      network: `eip155:${record.chainId}`,
      asset: record.asset,
      payer: record.payer,
      nonce: record.nonce,
      payee: record.payee,
      value: record.value,
      state: record.state,
      transaction: record.txHash ?? '',
      blockNumber: record.blockNumber,
      confirmations:
        record.state === 'confirmed' && record.blockNumber !== undefined && head !== undefined
          ? head >= record.blockNumber
            ? head - record.blockNumber + 1n
            : 1n
          : undefined,
      reason: record.reason,
      paymentId: record.paymentId,
      updatedAt: record.updatedAt,
    }
  }

  const service: Omit<Facilitator, 'fetch'> = {
    ledger,
    chains,
    metrics,
    async verify(request) {
      await start()
      const result = await verifyAndReserve(context, {
        ...request,
        state: 'verified',
        paymentId: paymentIdOf(request.paymentPayload),
      })
      if (result.ok) events.publish([result.record])
      verifications.inc({
        result: result.response.isValid ? 'valid' : 'invalid',
        reason: result.response.invalidReason ?? '',
      })
      return result.response
    },
    async settle(request) {
      await start()
      const settlement = request.settlement ?? mode
      const { response } = await settlePayment(context, {
        paymentPayload: request.paymentPayload,
        paymentRequirements: request.paymentRequirements,
        mode: settlement,
        paymentId: paymentIdOf(request.paymentPayload),
      })
      settlements.inc({
        mode: settlement,
        result: response.success ? 'success' : 'failure',
        reason: response.errorReason ?? '',
      })
      return response
    },
    supported({ x402Version } = {}) {
      const kinds: SupportedResponse['kinds'] = []
      for (const chain of chains.values()) {
        const network = `eip155:${chain.chainId}`
        if (x402Version !== 1) kinds.push({ x402Version: 2, scheme: 'exact', network })
        const v1 = toV1Network(network)
        if (v1) kinds.push({ x402Version: 1, scheme: 'exact', network: v1 })
      }
      if (x402Version === 1) return { kinds } as SupportedResponse
      const signerSet = new Set<string>()
      for (const chain of chains.values()) for (const signer of chain.signers) signerSet.add(signer)
      return { kinds, extensions: [], signers: { 'eip155:*': [...signerSet] } }
    },
    async status(query) {
      const records =
        'paymentId' in query
          ? await ledger.getByPaymentId(query.paymentId)
          : [await ledger.get(query.key)].filter((r): r is SettlementRecord => r !== undefined)
      return records.map(toStatus)
    },
    async health() {
      const nowSeconds = Math.floor(Date.now() / 1000)
      const report = [...chains.values()].map((chain) => {
        const head = chain.watcher.head
        return {
          chainId: chain.chainId,
          head: head ? head.number.toString() : null,
          headAgeSeconds: head ? Math.max(0, nowSeconds - Number(head.timestamp)) : null,
          inFlight: chain.settler.stats.tracked,
        }
      })
      return {
        status: started && report.every((chain) => chain.head !== null) ? 'ok' : 'degraded',
        ledger: ledger.kind,
        chains: report,
      }
    },
    start,
    async close() {
      const wasStarted = started
      started = undefined
      if (!wasStarted) return
      await wasStarted.catch(() => undefined)
      await Promise.all([...chains.values()].map((chain) => chain.watcher.stop()))
      await Promise.all([...chains.values()].map((chain) => chain.settler.stop()))
    },
  }
  const app = createFacilitatorApp(service, parameters.http)
  return Object.assign(service, { fetch: app.fetch })
}
