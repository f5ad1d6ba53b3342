import type { PaymentPayload, PaymentPayloadV1 } from '@tollgate/core'
import { signPayment } from '../payment/signPayment.js'
import type { Candidate, Challenge } from '../policy/candidate.js'
import type { PaymentDecision } from '../policy/policyState.js'
import { authorizationOf } from '../purchases/inspectAuthorization.js'
import type { PurchaseIdentity } from '../purchases/purchaseIdentity.js'
import type { Receipt, ResignReason } from '../receipts/receipt.js'
import type { Attempt } from './attempt.js'
import { createAttempt } from './attempt.js'
import type { PayerContext } from './context.js'

/** The account a signed payment spends from: EIP-3009's `authorization.from`, or Permit2's owner. */
function payerOf(signed: Receipt['signed']): string {
  const permit2 = (signed.payload as { permit2Authorization?: { from?: unknown } })
    .permit2Authorization
  return authorizationOf(signed)?.from ?? (typeof permit2?.from === 'string' ? permit2.from : '')
}

/** Where a challenge came from: what the policy's rules read (https-only, resource, prices, hosts). */
export type PaymentSource = {
  /**
   * The URL that asked for the payment and gets paid: for HTTP the one that answered the 402,
   * after redirects; for another transport, the server's URL (an MCP server's endpoint).
   */
  readonly url: URL
  /**
   * The URL the caller asked for, when the challenge came from elsewhere (a redirect).
   * @default url
   */
  readonly requestedUrl?: URL | undefined
  /** The HTTP method, or the transport's verb for the call (rate limits and price lists key on it). */
  readonly method: string
  /**
   * Other names the transport knows the paid resource by, when they are not URLs of `url` (an MCP
   * tool's `mcp://tool/<name>`): a challenge naming one of them exactly passes the resource rule.
   */
  readonly resourceNames?: readonly string[] | undefined
}

/** The parameters of `signNewPayment`. */
export type SignNewPaymentParameters = {
  readonly challenge: Challenge
  readonly source: PaymentSource
  readonly identity: PurchaseIdentity | undefined
  /** Why a purchase that had an authorization gets a new one. */
  readonly resigned: ResignReason | undefined
  /** Paid ahead of the challenge, from one remembered (the transport's cache). */
  readonly preemptive: boolean
}

/**
 * A new payment for a challenge: the policy's hooks run, then its synchronous decision reserves
 * the price (or throws before anything is signed), the account signs, and a named purchase's
 * record is written to the log before the payment can leave.
 */
export async function signNewPayment(
  ctx: PayerContext,
  { challenge, source, identity, resigned, preemptive }: SignNewPaymentParameters,
): Promise<Attempt> {
  const { url, method } = source
  const parameters = {
    challenge,
    url,
    requestedUrl: source.requestedUrl ?? url,
    method,
    resourceNames: source.resourceNames,
    assets: ctx.registry,
  }
  const id = crypto.randomUUID()
  // The hooks' I/O first; then the synchronous choice and reservation, which throws before
  // anything is signed when the policy refuses.
  const prepared = await ctx.policy.prepare(parameters)
  const decision = ctx.policy.decide({ ...parameters, prepared, id })
  const { signed, paymentId } = await signOrAbandon(ctx, { challenge, decision, identity })
  const receipt = firstRecord(ctx, {
    id,
    challenge,
    source,
    candidate: decision.candidate,
    signed,
    identity,
    paymentId,
    resigned,
    preemptive,
  })
  if (identity && ctx.receipts) await writeAhead(ctx, { identity, receipt, decision })
  return createAttempt(ctx, {
    base: receipt,
    reservation: decision.reservation,
    wasSettled: false,
    candidate: decision.candidate,
    resend: undefined,
    onRefusal: () => decision.recordRefusal(),
  })
}

async function signOrAbandon(
  ctx: PayerContext,
  parameters: Pick<Parameters<typeof signPayment>[1], 'challenge' | 'decision' | 'identity'>,
) {
  try {
    return await signPayment(ctx.account, { ...parameters, assets: ctx.registry, now: ctx.now })
  } catch (error) {
    parameters.decision.abandon()
    throw error
  }
}

/**
 * Written ahead: a process killed while the payment is in flight finds it on restart, and re-sends
 * it instead of signing another. Without this record the purchase is not paid.
 */
async function writeAhead(
  ctx: PayerContext,
  {
    identity,
    receipt,
    decision,
  }: { identity: PurchaseIdentity; receipt: Receipt; decision: PaymentDecision },
): Promise<void> {
  try {
    await ctx.receipts!.append(receipt)
  } catch (error) {
    decision.abandon()
    throw error
  }
  ctx.book.open(identity.id, { receipt, reservation: decision.reservation })
}

/** A new payment's record before anything is known of its outcome. */
function firstRecord(
  ctx: PayerContext,
  {
    id,
    challenge,
    source,
    candidate,
    signed,
    identity,
    paymentId,
    resigned,
    preemptive,
  }: Omit<SignNewPaymentParameters, 'identity'> & {
    id: string
    candidate: Candidate
    signed: PaymentPayload | PaymentPayloadV1
    identity: PurchaseIdentity | undefined
    paymentId: string | undefined
  },
): Receipt {
  return {
    id,
    ...(identity ? { purchase: identity.id } : {}),
    ...(paymentId !== undefined ? { paymentId } : {}),
    ...(resigned ? { resigned } : {}),
    url: source.url.href,
    method: source.method,
    x402Version: challenge.x402Version,
    requested: challenge.paymentRequired,
    accepted: candidate.original,
    signed,
    amount: candidate.amount,
    asset: candidate.requirements.asset,
    network: candidate.network ?? candidate.requirements.network,
    payTo: candidate.requirements.payTo,
    payer: payerOf(signed),
    preemptive,
    at: ctx.now(),
    settlement: undefined,
    transaction: undefined,
    status: 'indeterminate',
    disputed: undefined,
    responseStatus: undefined,
  }
}
