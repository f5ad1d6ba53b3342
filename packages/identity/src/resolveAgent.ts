import { identityRegistryAbi } from '@tollgate/contracts'
import { type InvalidAgentReferenceErrorType, parseAgentId } from '@tollgate/core'
import {
  type Address,
  type Client,
  ContractFunctionRevertedError,
  BaseError as ViemBaseError,
  zeroAddress,
} from 'viem'
import { readContract } from 'viem/actions'
import { type AgentLocator, type AgentRegistry, resolveRegistry } from './agentRegistry.js'
import {
  AgentNotFoundError,
  type AgentNotFoundErrorType,
  type FetchDocumentErrorType,
  type InvalidRegistrationFileErrorType,
  type RegistryChainMismatchErrorType,
} from './errors.js'
import { type FetchDocumentParameters, fetchDocument } from './fetchDocument.js'
import {
  findService,
  hasRegistration,
  normalizeRegistrationFile,
  type RegistrationFile,
  type RegistrationService,
} from './registrationFile.js'

export type ResolveAgentParameters = AgentLocator & {
  /** Limits and schemes for reading the registration file. */
  fetchOptions?: FetchDocumentParameters | undefined
}

/** What a resolved agent's file and chain state say that deserves a second look. */
export type AgentFlags = {
  /** The file's `registrations` does not name this registry and id: it may be another agent's. */
  registrationMismatch: boolean
  /** The file used a legacy spelling (`endpoints`, `x402support`). */
  legacyFields: boolean
  /** The file says `active: false`. */
  inactive: boolean
  /** The agent has no URI yet (minted, file not set). */
  uriUnset: boolean
  /** No verified `agentWallet` (cleared by a transfer or unset): do not pay it. */
  walletUnset: boolean
}

/** An agent as its registry and registration file describe it. */
export type ResolvedAgent = {
  agentId: bigint
  chainId: number
  /** The Identity Registry's address. */
  registry: Address
  agentRegistry: AgentRegistry
  owner: Address
  agentURI: string
  /** The registration file (legacy spellings normalised); `undefined` when the URI is unset. */
  file: RegistrationFile | undefined
  /** The file's services (`endpoints` in legacy files). */
  services: readonly RegistrationService[]
  /** The agent's A2A card (its `A2A` service, any case); `undefined` when it lists none. */
  a2a: RegistrationService | undefined
  /** The agent's MCP server (its `MCP` service, any case); `undefined` when it lists none. */
  mcp: RegistrationService | undefined
  /** The verified payment wallet from `getAgentWallet`; `undefined` when unset. */
  agentWallet: Address | undefined
  flags: AgentFlags
  /** The first service with this name, compared case-insensitively. */
  getService(name: string): RegistrationService | undefined
}

export type ResolveAgentErrorType =
  | AgentNotFoundErrorType
  | FetchDocumentErrorType
  | InvalidAgentReferenceErrorType
  | InvalidRegistrationFileErrorType
  | RegistryChainMismatchErrorType

/**
 * Resolves an agent id to its owner, registration file (fetched within size and time limits),
 * services and verified payment wallet, and flags a file that does not name this registration.
 *
 * @example
 * import { resolveAgent } from '@tollgate/identity'
 *
 * const agent = await resolveAgent(publicClient, {
 *   registry: 'eip155:8453:0x8004A169FB4a3325136EB29fA0ceB6D2e539a432',
 *   agentId: 22n,
 * })
 * const api = agent.getService('web')?.endpoint
 */
export async function resolveAgent(
  client: Client,
  parameters: ResolveAgentParameters,
): Promise<ResolvedAgent> {
  const agentId = parseAgentId(parameters.agentId)
  const {
    address: registry,
    chainId,
    agentRegistry,
  } = await resolveRegistry(client, parameters.registry)
  const contract = { address: registry, abi: identityRegistryAbi } as const
  const [owner, agentURI, wallet] = await Promise.all([
    readContract(client, { ...contract, functionName: 'ownerOf', args: [agentId] }),
    readContract(client, { ...contract, functionName: 'tokenURI', args: [agentId] }),
    readContract(client, { ...contract, functionName: 'getAgentWallet', args: [agentId] }),
  ]).catch((error: unknown) => {
    // ERC-721 `ownerOf` (and `tokenURI`) revert for an id never minted.
    if (isRevert(error)) throw new AgentNotFoundError({ registry, agentId, cause: error })
    throw error
  })

  return toResolvedAgent({
    agentId,
    chainId,
    registry,
    agentRegistry,
    owner,
    agentURI,
    wallet,
    fetchOptions: parameters.fetchOptions,
  })
}

/** Builds a resolved agent from chain state, fetching and checking its file. */
export async function toResolvedAgent(state: {
  agentId: bigint
  chainId: number
  registry: Address
  agentRegistry: AgentRegistry
  owner: Address
  agentURI: string
  wallet: Address | undefined
  fetchOptions: FetchDocumentParameters | undefined
}): Promise<ResolvedAgent> {
  const { agentId, agentRegistry, agentURI } = state
  let file: RegistrationFile | undefined
  let legacyFields: string[] = []
  if (agentURI !== '') {
    const { bytes } = await fetchDocument(agentURI, state.fetchOptions)
    ;({ file, legacyFields } = normalizeRegistrationFile(bytes))
  }
  const services = file?.services ?? []
  const agentWallet = state.wallet && state.wallet !== zeroAddress ? state.wallet : undefined
  return {
    agentId,
    chainId: state.chainId,
    registry: state.registry,
    agentRegistry,
    owner: state.owner,
    agentURI,
    file,
    services,
    a2a: findService(services, 'A2A'),
    mcp: findService(services, 'MCP'),
    agentWallet,
    flags: {
      registrationMismatch:
        file !== undefined && !hasRegistration(file, { agentRegistry, agentId }),
      legacyFields: legacyFields.length > 0,
      inactive: file?.active === false,
      uriUnset: agentURI === '',
      walletUnset: agentWallet === undefined,
    },
    getService: (name) => findService(services, name),
  }
}

function isRevert(error: unknown): boolean {
  return (
    error instanceof ViemBaseError &&
    error.walk((e) => e instanceof ContractFunctionRevertedError) !== null
  )
}
