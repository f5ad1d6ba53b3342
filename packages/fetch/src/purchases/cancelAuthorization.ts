import type { PaymentRequirementsV1 } from '@tollgate/core'
import { requirementsFromV1 } from '@tollgate/core'
import type { Asset, AuthorizationSigner } from '@tollgate/evm'
import { eip3009Abi, getAuthorizationDomain } from '@tollgate/evm'
import type { Account, Address, Chain, Hex, Transport, WalletClient } from 'viem'
import { parseSignature } from 'viem'
import { waitForTransactionReceipt, writeContract } from 'viem/actions'
import type { Receipt } from '../receipts/receipt.js'
import { authorizationOf } from './inspectAuthorization.js'

export type CancelAuthorizationParameters = {
  /** The receipt whose authorization to cancel. */
  receipt: Receipt
  /** Sends the transaction (pays its gas); any funded account on the receipt's chain. */
  walletClient: WalletClient<Transport, Chain | undefined, Account>
  /** For the token's EIP-712 domain when the paid requirement does not name it. */
  assets?: readonly Asset[] | undefined
}

/**
 * Cancels a receipt's EIP-3009 authorization on-chain: the payer signs `CancelAuthorization` for
 * its nonce and `walletClient` sends `cancelAuthorization(authorizer, nonce, v, r, s)`. Once mined,
 * the authorization can never be spent. Resolves with the transaction hash; rejects when the
 * transaction reverts (the authorization was spent or cancelled already).
 */
export async function cancelAuthorization(
  signer: AuthorizationSigner,
  { receipt, walletClient, assets }: CancelAuthorizationParameters,
): Promise<Hex> {
  const authorization = authorizationOf(receipt.signed)
  if (!authorization) throw new TypeError('The receipt carries no EIP-3009 authorization.')
  const requirements =
    'maxAmountRequired' in receipt.accepted
      ? requirementsFromV1(receipt.accepted as PaymentRequirementsV1)
      : receipt.accepted
  const domain = getAuthorizationDomain({ requirements, assets })
  const typedData = {
    domain,
    types: {
      CancelAuthorization: [
        { name: 'authorizer', type: 'address' },
        { name: 'nonce', type: 'bytes32' },
      ],
    },
    primaryType: 'CancelAuthorization',
    message: { authorizer: authorization.from, nonce: authorization.nonce },
  } as const
  let signature: Hex
  if ('request' in signer) {
    if (!signer.account) throw new TypeError('The wallet client has no account to sign with.')
    signature = await signer.signTypedData({ account: signer.account, ...typedData })
  } else {
    if (!signer.signTypedData) throw new TypeError('The account cannot sign typed data.')
    signature = await signer.signTypedData(typedData)
  }
  const { r, s, v, yParity } = parseSignature(signature)
  const hash = await writeContract(walletClient, {
    address: receipt.asset as Address,
    abi: eip3009Abi,
    functionName: 'cancelAuthorization',
    args: [authorization.from, authorization.nonce, Number(v ?? BigInt(yParity + 27)), r, s],
    chain: walletClient.chain ?? null,
  })
  const mined = await waitForTransactionReceipt(walletClient, { hash })
  if (mined.status !== 'success')
    throw new Error(`cancelAuthorization reverted in transaction ${hash}`)
  return hash
}
