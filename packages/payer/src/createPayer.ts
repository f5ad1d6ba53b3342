import type { Asset, AuthorizationSigner } from '@tollgate/evm'
import type { DiagnosticChannels } from './diagnostics.js'
import { publish } from './diagnostics.js'
import type { PayerCall } from './payer/call.js'
import { createCall } from './payer/call.js'
import type { PayerContext } from './payer/context.js'
import { createPayerContext } from './payer/createContext.js'
import type { Purchases } from './payer/purchases.js'
import { createPurchases } from './payer/purchases.js'
import type { Policy, PolicyParameters } from './policy/createPolicy.js'
import type { ReconcileParameters } from './purchases/inspectAuthorization.js'
import type { PurchaseIdentity } from './purchases/purchaseIdentity.js'
import type { Receipt } from './receipts/receipt.js'
import type { ReceiptLog } from './receipts/receiptLog.js'

/** What `createPayer` is given: the signer, the policy, and where receipts and lookups go. */
export type CreatePayerParameters = {
  /** Signs the payments: a viem local `Account`, or a `WalletClient` with an account. */
  account: AuthorizationSigner
  /**
   * The rules payments must pass, or a policy from `createPolicy` (share one to share its budgets
   * and what it remembers about routes).
   * @default createPolicy(): every guard on (see `docs/agents/guardrails.md`)
   */
  policy?: Policy | PolicyParameters | undefined
  /**
   * Every receipt is appended here before the paid answer is delivered. Read once, on the first
   * call: its purchases are resumed (their retries re-send the same authorization), the budget
   * reservations of its indeterminate ones are taken again, and its settled payments count again
   * in the budget windows they fall in.
   */
  receipts?: ReceiptLog | undefined
  /** Called with every receipt; errors it throws are published, never thrown. */
  onReceipt?: ((receipt: Receipt) => void | Promise<void>) | undefined
  /** Assets besides `@tollgate/evm`'s registry (devnet tokens): decimals and EIP-712 domain. */
  assets?: readonly Asset[] | undefined
  /**
   * Where an authorization's fate is looked up, so a payment the chain proves unspent (a refusal
   * after a payment, an expired authorization) gives its money back and one it proves spent is
   * `settled`: per network a viem client or RPC URL, and a facilitator's status endpoint.
   * `false` turns reconciliation off: a refusal after a payment then stays `indeterminate`, its
   * money held, and an expired indeterminate purchase is never paid again.
   * @default every network of the asset registry, through the public RPC of viem's chain definition
   */
  reconcile?: ReconcileParameters | false | undefined
  /**
   * The fetch that reaches a facilitator's status endpoint (`reconcile.facilitatorUrl`).
   * @default the global fetch, looked up per call
   */
  fetch?: ((input: string, init: Record<string, unknown>) => Promise<unknown>) | undefined
  /**
   * The diagnostics channels to publish on.
   * @default diagnosticChannels (`tollgate:payer:*`)
   */
  channels?: DiagnosticChannels | undefined
}

/** The agent side of x402 without a transport: see `createPayer`. */
export type Payer = {
  /**
   * Runs one paid call. A named purchase's calls run one after another (each sees what the one
   * before recorded); the receipt log is read before the first. `run` gets the call's handle: it
   * asks for the payment to send (`call.retry()`, `call.pay(...)`) and reports on the attempt what
   * came back. A purchase's call rejects when its log cannot be read; an unnamed call goes on (the
   * failure is published).
   */
  call<result>(
    purchase: PurchaseIdentity | undefined,
    run: (call: PayerCall) => Promise<result>,
  ): Promise<result>
  /** The purchases made: their current state, reconciliation and cancellation. */
  readonly purchases: Purchases
  /** The policy payments pass (its `usage()` reads the budgets). */
  readonly policy: Policy
  /** The payer's clock (the policy's, ms). */
  now(): number
}

/**
 * Creates a payer: the engine that decides, signs and records x402 payments for any transport.
 * It owns the policy and its budgets (decided before anything is signed), purchase identity (a
 * retried purchase re-sends the same signed bytes; its record is written ahead), the re-sign rule,
 * receipts with their three outcomes, reconciliation on-chain and cancellation. A transport
 * (`@tollgate/fetch`, an MCP or A2A client) decodes the challenge, sends `attempt.payload` its own
 * way, and reports on the attempt what came back.
 *
 * @example
 * import { createPayer, readSettlementValue } from '@tollgate/payer'
 *
 * // An MCP client: the challenge came as a tool result's structuredContent.
 * const payer = createPayer({ account, policy: { maxPerRequest: '$0.05' } })
 * const result = await payer.call(undefined, async (call) => {
 *   const attempt = await call.pay({ paymentRequired, source: { url, method: 'tools/call' } })
 *   const result = await callTool({ ...params, _meta: { 'x402/payment': attempt.payload } })
 *   await attempt.answered({
 *     status: result.isError ? 500 : 200,
 *     settlement: readSettlementValue(result._meta?.['x402/payment-response']),
 *   })
 *   return result
 * })
 */
export function createPayer(parameters: CreatePayerParameters): Payer {
  const { ctx, loader } = createPayerContext(parameters)
  return {
    call: (purchase, run) => callWith(ctx, purchase, run),
    purchases: createPurchases(ctx, loader),
    policy: ctx.policy,
    now: ctx.now,
  }
}

async function callWith<result>(
  ctx: PayerContext,
  purchase: PurchaseIdentity | undefined,
  run: (call: PayerCall) => Promise<result>,
): Promise<result> {
  if (!purchase) {
    // Reservations of a log's indeterminate purchases count before anything new is paid.
    await ctx
      .load()
      .catch((error: unknown) => publish(ctx.channels.error, { error, stage: 'receipt-log' }))
    return run(createCall(ctx, undefined))
  }
  await ctx.load()
  return ctx.locks.run(purchase.id, () => run(createCall(ctx, purchase)))
}
