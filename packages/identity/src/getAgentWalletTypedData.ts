import {
  agentWalletSetTypes,
  identityRegistryAbi,
  maxAgentWalletDeadlineDelay,
} from '@tollgate/contracts'
import { parseAgentId } from '@tollgate/core'
import {
  type Address,
  type Client,
  getAddress,
  type Hex,
  type TypedDataDefinition,
  type TypedDataDomain,
} from 'viem'
import { getBlock, getEip712Domain, readContract } from 'viem/actions'
import { type AgentIdInput, type AgentRegistry, resolveRegistry } from './agentRegistry.js'
import { InvalidDeadlineError, type InvalidDeadlineErrorType } from './errors.js'

/** The typed data a new agent wallet signs to prove control (`AgentWalletSet`). */
export type AgentWalletTypedData = TypedDataDefinition<typeof agentWalletSetTypes, 'AgentWalletSet'>

export type GetAgentWalletTypedDataParameters = {
  registry: Address | AgentRegistry | string
  agentId: AgentIdInput
  /** The wallet being set: the address that signs (an EOA or an ERC-1271 contract). */
  wallet: Address
  /**
   * Unix seconds; the registry accepts at most 300 s after the block that includes the call.
   * @default 240 s after the later of the latest block's time and `now()`
   */
  deadline?: bigint | undefined
  /** This machine's clock, milliseconds since the epoch. @default Date.now */
  now?: (() => number) | undefined
}

export type GetAgentWalletTypedDataReturnType = {
  typedData: AgentWalletTypedData
  deadline: bigint
}

export type GetAgentWalletTypedDataErrorType = InvalidDeadlineErrorType

/** Headroom under the 300 s limit, for the time between signing and inclusion. */
const defaultDeadlineDelaySeconds = 240n

/**
 * Builds the EIP-712 `AgentWalletSet` message for `setAgentWallet`, with the domain read from the
 * registry's `eip712Domain()` (ERC-5267) and `owner` from `ownerOf`, so it matches whatever
 * registry deployment it is sent to.
 */
export async function getAgentWalletTypedData(
  client: Client,
  parameters: GetAgentWalletTypedDataParameters,
): Promise<GetAgentWalletTypedDataReturnType> {
  const agentId = parseAgentId(parameters.agentId)
  const { address } = await resolveRegistry(client, parameters.registry)
  const [{ domain, fields }, owner, block] = await Promise.all([
    getEip712Domain(client, { address }),
    readContract(client, {
      address,
      abi: identityRegistryAbi,
      functionName: 'ownerOf',
      args: [agentId],
    }),
    getBlock(client, { blockTag: 'latest' }),
  ])
  // The chain's clock can lag (an idle devnet) or lead this machine's: take the later one. The
  // millisecond clock becomes unix seconds here, at the contract's edge.
  const nowSeconds = BigInt(Math.floor((parameters.now ?? Date.now)() / 1000))
  const reference = block.timestamp > nowSeconds ? block.timestamp : nowSeconds
  const deadline = parameters.deadline ?? reference + defaultDeadlineDelaySeconds
  const maxDeadline = reference + maxAgentWalletDeadlineDelay
  if (deadline < block.timestamp || deadline > maxDeadline)
    throw new InvalidDeadlineError({ deadline, blockTimestamp: block.timestamp, maxDeadline })
  return {
    deadline,
    typedData: {
      domain: toTypedDataDomain(domain, fields),
      types: agentWalletSetTypes,
      primaryType: 'AgentWalletSet',
      message: { agentId, newWallet: getAddress(parameters.wallet), owner, deadline },
    },
  }
}

/** The domain fields ERC-5267's bitmap marks as used (0x01 name ... 0x10 salt), and only those. */
function toTypedDataDomain(
  domain: Awaited<ReturnType<typeof getEip712Domain>>['domain'],
  fields: Hex,
): TypedDataDomain {
  const used = Number.parseInt(fields, 16)
  return {
    ...(used & 0x01 ? { name: domain.name } : {}),
    ...(used & 0x02 ? { version: domain.version } : {}),
    ...(used & 0x04 ? { chainId: domain.chainId } : {}),
    ...(used & 0x08 ? { verifyingContract: domain.verifyingContract } : {}),
    ...(used & 0x10 ? { salt: domain.salt } : {}),
  }
}
