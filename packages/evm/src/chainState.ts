import type { ExactEvmPayload } from '@tollgate/core'
import { reasons } from '@tollgate/core'
import type { Address } from 'viem'
import { encodeFunctionData } from 'viem'
import { call, getCode, readContract } from 'viem/actions'
import { eip3009Abi, erc20Abi } from './abis.js'
import { type Asset, getAsset } from './assets.js'
import type { Authorization, AuthorizationDomain } from './authorization.js'
import { isContractFailure } from './contractFailure.js'
import { getSettlementCall } from './getSettlementCall.js'
import { readTokenDomain } from './readTokenDomain.js'
import type {
  ReadClient,
  VerifiableRequirements,
  VerifyAuthorizationChecks,
} from './verifyAuthorization.js'

/** Why the chain refuses an authorization: a reason, and a message for some. */
export type ChainStateReason = [reason: string, message?: string]

/** What an authorization is checked against on chain. */
export type ChainStateParameters = {
  authorization: Authorization
  domain: AuthorizationDomain
  payload: ExactEvmPayload
  requirements: VerifiableRequirements
  checks: VerifyAuthorizationChecks
  assets: readonly Asset[] | undefined
  hasDeployment: boolean
}

/**
 * The chain checks `checks` asks for (nonce unused, token domain, balance, simulation), read at
 * once, then judged in the reference's order; `undefined` when all pass. Throws when the RPC does.
 */
export async function checkChainState(
  client: ReadClient,
  parameters: ChainStateParameters,
): Promise<ChainStateReason | undefined> {
  const state = await readChainState(client, parameters)
  const { authorization, domain } = parameters
  // The reference's diagnosis order: EIP-3009 support, nonce, name, version, balance.
  if (state.used?.ok === false) return [await notEip3009Reason(client, domain.verifyingContract)]
  if (state.used?.ok && state.used.value) return [reasons.invalidExactEvmNonceAlreadyUsed]
  const { tokenDomain, balance, simulation } = state
  if (tokenDomain?.name !== undefined && tokenDomain.name !== domain.name)
    return [
      reasons.invalidExactEvmTokenNameMismatch,
      `The token's EIP-712 name is "${tokenDomain.name}".`,
    ]
  if (tokenDomain?.version !== undefined && tokenDomain.version !== domain.version)
    return [
      reasons.invalidExactEvmTokenVersionMismatch,
      `The token's EIP-712 version is "${tokenDomain.version}".`,
    ]
  if (balance?.ok && balance.value < authorization.value)
    return [reasons.invalidExactEvmInsufficientBalance]
  if (simulation?.ok === false) return [reasons.invalidExactEvmTransactionSimulationFailed]
  return undefined
}

/** The reads, sent in the same tick so a batching client makes them one request. */
async function readChainState(
  client: ReadClient,
  {
    authorization,
    domain,
    payload,
    requirements,
    checks,
    assets,
    hasDeployment,
  }: ChainStateParameters,
) {
  const asset = domain.verifyingContract
  const registered =
    checks.domain === false
      ? undefined
      : getAsset({ network: requirements.network, address: asset, assets })
  const [used, balance, tokenDomain, simulation] = await Promise.all([
    settled(
      checks.nonce === false
        ? undefined
        : readContract(client, {
            address: asset,
            abi: eip3009Abi,
            functionName: 'authorizationState',
            args: [authorization.from, authorization.nonce],
          }),
    ),
    settled(
      checks.balance === false
        ? undefined
        : readContract(client, {
            address: asset,
            abi: erc20Abi,
            functionName: 'balanceOf',
            args: [authorization.from],
          }),
    ),
    checks.domain === false || registered ? registered?.eip712 : readTokenDomain(client, { asset }),
    settled(
      checks.simulate && !hasDeployment
        ? call(client, {
            to: asset,
            data: encodeFunctionData(getSettlementCall({ payload, requirements })),
          })
        : undefined,
    ),
  ])
  return { used, balance, tokenDomain, simulation }
}

/** A token whose `authorizationState` reverts: no contract there, or not an EIP-3009 token. */
async function notEip3009Reason(client: ReadClient, asset: Address): Promise<string> {
  const code = await getCode(client, { address: asset })
  return code === undefined || code === '0x'
    ? reasons.assetNotDeployedContract
    : reasons.invalidExactEvmEip3009NotSupported
}

type Settled<value> = { ok: true; value: value } | { ok: false } | undefined

async function settled<value>(promise: Promise<value> | undefined): Promise<Settled<value>> {
  if (!promise) return undefined
  try {
    return { ok: true, value: await promise }
  } catch (error) {
    if (isContractFailure(error)) return { ok: false }
    throw error
  }
}
