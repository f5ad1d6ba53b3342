import type { ExactEvmPayload, PaymentRequirements } from '@tollgate/core'
import type { Address, Hex } from 'viem'
import { eip3009Abi } from './abis.js'
import { fromWireAuthorization } from './authorization.js'
import { isEcdsaSignature, splitSignature, unwrapErc6492Signature } from './signature.js'

export type GetSettlementCallParameters = {
  payload: ExactEvmPayload
  requirements: Pick<PaymentRequirements, 'asset'> & { [key: string]: unknown }
}

type BaseArgs = readonly [
  from: Address,
  to: Address,
  value: bigint,
  validAfter: bigint,
  validBefore: bigint,
  nonce: Hex,
]

export type GetSettlementCallReturnType = {
  address: Address
  abi: typeof eip3009Abi
  functionName: 'transferWithAuthorization'
  args: readonly [...BaseArgs, v: number, r: Hex, s: Hex] | readonly [...BaseArgs, signature: Hex]
}

/**
 * The `transferWithAuthorization` call that settles a payment, ready for viem's `writeContract`,
 * `simulateContract` or `encodeFunctionData`. A 65-byte signature uses the `(v, r, s)` overload,
 * which every EIP-3009 token has; any other signature (ERC-1271 wallets) uses the
 * `bytes signature` overload of FiatToken v2.2. An ERC-6492 wrapper is stripped: the wallet must be
 * deployed first (`settleAuthorization` does it for an allowed factory).
 *
 * @example
 * import { getSettlementCall } from '@tollgate/evm'
 *
 * const hash = await walletClient.writeContract(getSettlementCall({ payload, requirements }))
 */
export function getSettlementCall({
  payload,
  requirements,
}: GetSettlementCallParameters): GetSettlementCallReturnType {
  const a = fromWireAuthorization(payload.authorization)
  const base: BaseArgs = [a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce]
  const signature =
    unwrapErc6492Signature(payload.signature as Hex)?.signature ?? (payload.signature as Hex)
  if (isEcdsaSignature(signature)) {
    const { v, r, s } = splitSignature(signature)
    return {
      address: requirements.asset as Address,
      abi: eip3009Abi,
      functionName: 'transferWithAuthorization',
      args: [...base, v, r, s],
    }
  }
  return {
    address: requirements.asset as Address,
    abi: eip3009Abi,
    functionName: 'transferWithAuthorization',
    args: [...base, signature],
  }
}
