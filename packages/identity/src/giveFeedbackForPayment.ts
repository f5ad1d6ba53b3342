import { getEvmChainId } from '@tollgate/core'
import { type Address, getAddress, isAddress, isHash } from 'viem'
import { InvalidPaymentReceiptError, type InvalidPaymentReceiptErrorType } from './errors.js'
import type { ProofOfPaymentInput } from './feedbackFile.js'
import {
  type GiveFeedbackErrorType,
  type GiveFeedbackParameters,
  type GiveFeedbackReturnType,
  giveFeedback,
} from './giveFeedback.js'
import type { WriteClient } from './transact.js'

/**
 * What a paid call left: the fields of a `@tollgate/fetch` `Receipt` this needs (`getReceipt(response)`
 * fits as it is), or a settlement response with the payee added.
 */
export type PaymentReceipt = {
  /** The settlement transaction hash. */
  readonly transaction: string | undefined
  /** CAIP-2 (`eip155:8453`) or a v1 name (`base`). */
  readonly network: string
  readonly payTo: string
  /** The paying address (`from` is read when `payer` is absent). */
  readonly payer?: string | undefined
  readonly from?: string | undefined
  /** When present, must be `settled`. */
  readonly status?: string | undefined
}

export type GiveFeedbackForPaymentParameters = Omit<GiveFeedbackParameters, 'feedback'> & {
  /** The paid call the feedback is about: its settlement becomes the file's `proofOfPayment`. */
  receipt: PaymentReceipt
  /** Other fields of the feedback file (`mcp`, `a2a`, `oasf`, anything else). */
  feedback?: Record<string, unknown> | undefined
}

export type GiveFeedbackForPaymentReturnType = GiveFeedbackReturnType & {
  proofOfPayment: ProofOfPaymentInput
}

export type GiveFeedbackForPaymentErrorType = GiveFeedbackErrorType | InvalidPaymentReceiptErrorType

/**
 * Gives feedback on an agent for a payment made to it: the feedback file's `proofOfPayment`
 * (`fromAddress`, `toAddress`, `chainId`, `txHash`) is taken from the receipt, so anyone reading
 * the feedback can check the settlement on-chain. A receipt that does not prove a settled payment
 * throws `InvalidPaymentReceiptError` before anything is sent.
 *
 * @example
 * import { getReceipt } from '@tollgate/fetch'
 * import { giveFeedbackForPayment } from '@tollgate/identity'
 *
 * const response = await pay(endpoint)
 * await giveFeedbackForPayment(buyerWalletClient, {
 *   registry: reputationRegistry,
 *   agentId,
 *   receipt: getReceipt(response)!,
 *   value: '95',
 *   tag1: 'x402',
 * })
 */
export async function giveFeedbackForPayment(
  client: WriteClient,
  parameters: GiveFeedbackForPaymentParameters,
): Promise<GiveFeedbackForPaymentReturnType> {
  const { receipt, feedback, ...rest } = parameters
  const proofOfPayment = toProofOfPayment(receipt)
  if (rest.publish?.kind === 'none')
    throw new InvalidPaymentReceiptError({
      reason: 'publish is "none", so no feedback file would carry the proof',
    })
  const result = await giveFeedback(client, {
    ...rest,
    feedback: { ...feedback, proofOfPayment },
  })
  return { ...result, proofOfPayment }
}

/** The ERC-8004 `proofOfPayment` of a settled payment; throws `InvalidPaymentReceiptError`. */
export function toProofOfPayment(receipt: PaymentReceipt): ProofOfPaymentInput {
  if (receipt.status !== undefined && receipt.status !== 'settled')
    throw new InvalidPaymentReceiptError({ reason: 'it is not settled', value: receipt.status })
  const { transaction } = receipt
  if (transaction === undefined || !isHash(transaction))
    throw new InvalidPaymentReceiptError({
      reason: 'it has no settlement transaction hash',
      value: transaction ?? '(none)',
    })
  const payer = receipt.payer ?? receipt.from
  const fromAddress = checkAddress(payer, 'payer')
  const toAddress = checkAddress(receipt.payTo, 'payTo')
  let chainId: number
  try {
    chainId = getEvmChainId(receipt.network)
  } catch {
    throw new InvalidPaymentReceiptError({
      reason: 'its network is not an EVM chain',
      value: String(receipt.network),
    })
  }
  return { fromAddress, toAddress, chainId, txHash: transaction }
}

function checkAddress(value: string | undefined, field: string): Address {
  if (value === undefined || !isAddress(value, { strict: false }))
    throw new InvalidPaymentReceiptError({
      reason: `its ${field} is not an address`,
      value: value ?? '(none)',
    })
  return getAddress(value)
}
