import type { ExactEvmPayload } from '@tollgate/core'
import { getSettlementCall, isErc6492Signature, splitSignature } from '@tollgate/evm'
import { type Address, encodeFunctionData, type Hex } from 'viem'
import { InvalidSettlementBatchError } from '../errors.js'
import { batchSettlerAbi } from './batchSettlerAbi.js'
import type { Permit2SettlementGas } from './encodePermit2Settlement.js'

/** What a settlement transaction needs of one authorization. */
export type SettlementItem = {
  asset: Address
  payer: Address
  payee: Address
  value: bigint
  validAfter: bigint
  validBefore: bigint
  nonce: Hex
  signature: Hex
}

/** The authorizations of one settlement transaction, and where it goes. */
export type EncodeSettlementParameters = {
  items: readonly SettlementItem[]
  /** The batch settler of the chain; without one, only single settlements are possible. */
  batchSettler?: Address | undefined
  gas?: SettlementGas | undefined
  /**
   * Encode 65-byte-signature batches for `settlePacked` when they fit (less calldata, about 2.5k
   * gas less per item); `false` always uses the ABI-encoded `settle`. @default true
   */
  packed?: boolean | undefined
}

/** Gas limits of settlement transactions (only gas used is paid; the limit only bounds it). */
export type SettlementGas = {
  /** A direct `transferWithAuthorization` with a 65-byte signature. @default 120_000n */
  single?: bigint | undefined
  /** A direct one with a contract-wallet signature (ERC-1271 call). @default 250_000n */
  singleContract?: bigint | undefined
  /** Fixed part of a batch. @default 40_000n */
  batchBase?: bigint | undefined
  /** Each 65-byte-signature item of a batch. @default 80_000n */
  batchItem?: bigint | undefined
  /** Each contract-wallet item of a batch. @default 220_000n */
  batchContractItem?: bigint | undefined
  /** Permit2 settlements (proxy calls, Multicall3 batches). */
  permit2?: Permit2SettlementGas | undefined
}

/** The call to sign. */
export type EncodeSettlementReturnType = {
  to: Address
  data: Hex
  gas: bigint
  kind: 'single' | 'batch'
}

/** Whether an item's signature is a plain 65-byte ECDSA one (the `(v, r, s)` overload). */
export function isEcdsaItem(item: Pick<SettlementItem, 'signature'>): boolean {
  return item.signature.length === 132 && !isErc6492Signature(item.signature)
}

const maxUint96 = (1n << 96n) - 1n
const maxUint48 = (1n << 48n) - 1n

/**
 * The `BatchSettler.settlePacked` data of 65-byte-signature items, or `undefined` when they do not
 * fit its encoding (several tokens, more than 255 payees, a value above 2^96 - 1 or a time above
 * 2^48 - 1): `token ‖ k ‖ payee₀…payeeₖ₋₁ ‖ items`, each item `payer ‖ payee index (1) ‖ value
 * (12) ‖ validAfter (6) ‖ validBefore (6) ‖ nonce ‖ r ‖ s ‖ v (1)`, 142 bytes.
 */
export function encodePackedBatch(items: readonly SettlementItem[]): Hex | undefined {
  const first = items[0]
  if (!first) return undefined
  const token = first.asset.toLowerCase()
  const payees = new Map<string, number>()
  const parts: string[] = []
  for (const item of items) {
    if (item.asset.toLowerCase() !== token || !isEcdsaItem(item)) return undefined
    if (item.value < 0n || item.value > maxUint96) return undefined
    if (item.validAfter < 0n || item.validAfter > maxUint48) return undefined
    if (item.validBefore < 0n || item.validBefore > maxUint48) return undefined
    const payee = item.payee.toLowerCase()
    let index = payees.get(payee)
    if (index === undefined) {
      index = payees.size
      if (index > 254) return undefined
      payees.set(payee, index)
    }
    const { v, r, s } = splitSignature(item.signature)
    parts.push(
      item.payer.slice(2).toLowerCase(),
      index.toString(16).padStart(2, '0'),
      item.value.toString(16).padStart(24, '0'),
      item.validAfter.toString(16).padStart(12, '0'),
      item.validBefore.toString(16).padStart(12, '0'),
      item.nonce.slice(2).toLowerCase().padStart(64, '0'),
      r.slice(2),
      s.slice(2),
      v.toString(16).padStart(2, '0'),
    )
  }
  const header = [...payees.keys()].map((payee) => payee.slice(2)).join('')
  return `0x${token.slice(2)}${payees.size.toString(16).padStart(2, '0')}${header}${parts.join('')}`
}

/** An item's fields as `BatchSettler`'s item tuples name them (without the signature). */
function authorizationOf(item: SettlementItem) {
  return {
    token: item.asset,
    from: item.payer,
    to: item.payee,
    value: item.value,
    validAfter: item.validAfter,
    validBefore: item.validBefore,
    nonce: item.nonce,
  }
}

/** The exact scheme's wire payload of an item (for `@tollgate/evm`). */
export function toExactEvmPayload(item: SettlementItem): ExactEvmPayload {
  return {
    signature: item.signature,
    authorization: {
      from: item.payer,
      to: item.payee,
      value: item.value.toString(),
      validAfter: item.validAfter.toString(),
      validBefore: item.validBefore.toString(),
      nonce: item.nonce,
    },
  }
}

/**
 * The transaction that settles `items`: a direct `transferWithAuthorization` on the token for one
 * item (or when the chain has no batch settler), else one `BatchSettler` call. A batch takes items
 * of one signature kind: all 65-byte ECDSA (`settlePacked` when they fit its encoding, else
 * `settle`) or all contract signatures (`settleWithSignatures`); the settler splits mixed work
 * before it calls this.
 */
export function encodeSettlement({
  items,
  batchSettler,
  gas = {},
  packed: usePacked = true,
}: EncodeSettlementParameters): EncodeSettlementReturnType {
  const first = items[0]
  const invalid = (reason: string) =>
    new InvalidSettlementBatchError({ reason, size: items.length })
  if (!first) throw invalid('no items')
  if (items.length === 1 || !batchSettler) {
    if (items.length !== 1) throw invalid('a batch needs a batch settler')
    const call = getSettlementCall({
      payload: toExactEvmPayload(first),
      requirements: { asset: first.asset },
    })
    return {
      to: first.asset,
      data: encodeFunctionData(call as Parameters<typeof encodeFunctionData>[0]),
      gas: isEcdsaItem(first) ? (gas.single ?? 120_000n) : (gas.singleContract ?? 250_000n),
      kind: 'single',
    }
  }
  const ecdsa = isEcdsaItem(first)
  if (items.some((item) => isEcdsaItem(item) !== ecdsa))
    throw invalid('a batch mixes signature kinds')
  const base = gas.batchBase ?? 40_000n
  if (ecdsa) {
    const packed = usePacked ? encodePackedBatch(items) : undefined
    const data = packed
      ? encodeFunctionData({ abi: batchSettlerAbi, functionName: 'settlePacked', args: [packed] })
      : encodeFunctionData({
          abi: batchSettlerAbi,
          functionName: 'settle',
          args: [
            items.map((item) => {
              const { v, r, s } = splitSignature(item.signature)
              return { ...authorizationOf(item), v, r, s }
            }),
          ],
        })
    return {
      to: batchSettler,
      data,
      gas: base + BigInt(items.length) * (gas.batchItem ?? 80_000n),
      kind: 'batch',
    }
  }
  const data = encodeFunctionData({
    abi: batchSettlerAbi,
    functionName: 'settleWithSignatures',
    args: [
      items.map((item) => {
        const payload = toExactEvmPayload(item)
        const call = getSettlementCall({ payload, requirements: { asset: item.asset } })
        return {
          ...authorizationOf(item),
          // The ERC-6492 wrapper, if any, is stripped: the wallet must already be deployed.
          signature: call.args[6] as Hex,
        }
      }),
    ],
  })
  return {
    to: batchSettler,
    data,
    gas: base + BigInt(items.length) * (gas.batchContractItem ?? 220_000n),
    kind: 'batch',
  }
}
