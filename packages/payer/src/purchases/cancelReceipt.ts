import type { PaymentRequirementsV1 } from '@tollgate/core'
import { requirementsFromV1 } from '@tollgate/core'
import type { Asset, AuthorizationSigner } from '@tollgate/evm'
import { cancelAuthorization } from '@tollgate/evm'
import type { Account, Chain, Hex, Transport, WalletClient } from 'viem'
import { InvalidReceiptError } from '../errors/receiptLog.js'
import type { Receipt } from '../receipts/receipt.js'
import { authorizationOf } from './inspectAuthorization.js'

/**
 * Cancels a receipt's EIP-3009 authorization on-chain with `@tollgate/evm`'s
 * `cancelAuthorization`: the payer signs, `walletClient` sends. Resolves with the transaction hash.
 */
export async function cancelReceipt(
  signer: AuthorizationSigner,
  {
    receipt,
    walletClient,
    assets,
  }: {
    receipt: Receipt
    walletClient: WalletClient<Transport, Chain | undefined, Account>
    assets: readonly Asset[]
  },
): Promise<Hex> {
  const authorization = authorizationOf(receipt.signed)
  if (!authorization)
    throw new InvalidReceiptError({
      id: receipt.id,
      reason: 'it carries no EIP-3009 authorization',
    })
  const requirements =
    'maxAmountRequired' in receipt.accepted
      ? requirementsFromV1(receipt.accepted as PaymentRequirementsV1)
      : receipt.accepted
  const { transaction } = await cancelAuthorization(signer, {
    requirements,
    nonce: authorization.nonce,
    walletClient,
    assets,
  })
  return transaction
}
