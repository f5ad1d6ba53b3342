import { randomBytes } from 'node:crypto'
import type { Address, Hex } from 'viem'
import type { SettlementEntry } from '../src/ledger/types.js'

/** `bytes` random bytes as hex. */
export const randomHex = (bytes: number) => `0x${randomBytes(bytes).toString('hex')}` as Hex

/** A ledger entry sharing nothing with any other: its own asset, payer, nonce, payee, signature. */
export function randomEntry(): SettlementEntry {
  return {
    chainId: 31337,
    asset: randomHex(20) as Address,
    payer: randomHex(20) as Address,
    nonce: randomHex(32),
    payee: randomHex(20) as Address,
    value: 1_000n,
    validAfter: 0n,
    validBefore: 2_000_000_000n,
    signature: randomHex(65),
  }
}
