import { permit2Abi, permit2Address } from '@tollgate/evm'
import type { Address, Chain, Client, Transport } from 'viem'
import { getBlock, readContract } from 'viem/actions'
import type { Receipt } from '../receipts/receipt.js'
import type { AuthorizationFinding } from './inspectAuthorization.js'

/** The Permit2 permit a signed payment (`exact` or `upto` over Permit2) carries, if it carries one. */
export type Permit2Wire = { from: Address; nonce: bigint; deadline: bigint }

/** Reads `permit2Authorization` from a receipt's `signed` payload, if it is a well-formed one. */
export function permit2AuthorizationOf(signed: Receipt['signed']): Permit2Wire | undefined {
  const wire = (signed.payload as { permit2Authorization?: Record<string, unknown> })
    .permit2Authorization
  const { from, nonce, deadline } = wire ?? {}
  if (
    typeof from !== 'string' ||
    typeof nonce !== 'string' ||
    typeof deadline !== 'string' ||
    !/^\d{1,78}$/.test(nonce) ||
    !/^\d{1,78}$/.test(deadline)
  )
    return undefined
  return { from: from as Address, nonce: BigInt(nonce), deadline: BigInt(deadline) }
}

/**
 * What the chain proves about a Permit2 permit: its nonce's bit in Permit2's bitmap unset means
 * unspent (expired once the latest block is past its deadline: Permit2 refuses
 * `block.timestamp > deadline`). A set bit is spent or invalidated by the owner; Permit2 logs
 * neither for a signature transfer, so that is `undefined`, unknown.
 */
export async function askChainPermit2(
  client: Client<Transport, Chain | undefined>,
  permit: Permit2Wire,
): Promise<AuthorizationFinding | undefined> {
  const block = await getBlock(client, { blockTag: 'latest' })
  const bitmap = await readContract(client, {
    address: permit2Address,
    abi: permit2Abi,
    functionName: 'nonceBitmap',
    args: [permit.from, permit.nonce >> 8n],
    blockNumber: block.number,
  })
  if ((bitmap >> (permit.nonce & 0xffn)) & 1n) return undefined
  return {
    by: 'chain',
    finding: block.timestamp > permit.deadline ? 'unspent-expired' : 'unspent-valid',
    transaction: undefined,
  }
}
