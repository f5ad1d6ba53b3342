import { identityRegistryAbi } from '@tollgate/contracts'
import type { AccountNotFoundErrorType } from '@tollgate/evm'
import { type Address, type Client, type Hash, parseEventLogs } from 'viem'
import { getBlockNumber, getLogs, readContract, writeContract } from 'viem/actions'
import { type AgentRegistry, resolveRegistry } from './agentRegistry.js'
import { contentHash } from './contentHash.js'
import {
  type FetchDocumentErrorType,
  type InvalidRegistrationFileErrorType,
  RegistrationIncompleteError,
  type RegistrationIncompleteErrorType,
  TransactionRevertedError,
  type TransactionRevertedErrorType,
  type UnsupportedPublishTargetErrorType,
} from './errors.js'
import { type FetchDocumentParameters, fetchDocument } from './fetchDocument.js'
import { assertPublishable, type Publish, publishDocument } from './publish.js'
import {
  normalizeRegistrationFile,
  type RegistrationFile,
  validateRegistrationFile,
  withRegistration,
} from './registrationFile.js'
import { scanBlocks } from './scanBlocks.js'
import {
  type AccountParameter,
  requireAccount,
  type WriteClient,
  waitForSuccess,
} from './transact.js'

/** What `publish.upload` receives: the final file (its `registrations` names the new id). */
export type RegistrationDocument = { agentId: bigint; file: RegistrationFile; json: string }

export type RegisterAgentParameters = AccountParameter & {
  /** The Identity Registry (address on the client's chain, or `eip155:<chainId>:<address>`). */
  registry: Address | AgentRegistry | string
  /** The registration file; this registration is added to its `registrations`. */
  file: RegistrationFile
  /**
   * `{ kind: 'data' }` puts the file on-chain as a data: URI; `{ kind: 'url', url, upload? }`
   * points at a URL the agent serves (serve the returned `json` there).
   */
  publish: Publish<RegistrationDocument>
  /**
   * Mint even when this owner already has an agent whose file equals this one.
   * @default false
   */
  force?: boolean | undefined
  /** First block searched for this owner's earlier registrations. @default 0n */
  fromBlock?: bigint | undefined
  /** Blocks per `eth_getLogs` call of that search. @default 50_000n */
  chunkSize?: bigint | undefined
  /** Limits for reading earlier registrations' files. */
  fetchOptions?: FetchDocumentParameters | undefined
}

export type RegisterAgentReturnType = {
  agentId: bigint
  agentRegistry: AgentRegistry
  agentURI: string
  /** The published file, with this registration in `registrations`. */
  file: RegistrationFile
  /** The file's JSON text, as published (serve these bytes for a URL registration). */
  json: string
  /** `true` when an agent of this owner already had this file and nothing was sent. */
  existing: boolean
  /** `register()` then `setAgentURI`, or none for an existing agent. */
  transactionHashes: Hash[]
}

export type RegisterAgentErrorType =
  | AccountNotFoundErrorType
  | FetchDocumentErrorType
  | InvalidRegistrationFileErrorType
  | RegistrationIncompleteErrorType
  | TransactionRevertedErrorType
  | UnsupportedPublishTargetErrorType

/**
 * Registers an agent: mints its id with `register()`, adds that registration to the file,
 * publishes the file and sets it as the agent URI. When the owner already has an agent whose
 * published file equals this one (compared by content hash, key order aside), that agent is
 * returned and nothing is sent, unless `force`.
 *
 * @example
 * import { createRegistrationFile, registerAgent } from '@tollgate/identity'
 *
 * const { agentId, agentURI } = await registerAgent(walletClient, {
 *   registry: '0x8004A169FB4a3325136EB29fA0ceB6D2e539a432',
 *   file: createRegistrationFile({ name: 'weather-agent', x402Support: true }),
 *   publish: { kind: 'data' },
 * })
 */
export async function registerAgent(
  client: WriteClient,
  parameters: RegisterAgentParameters,
): Promise<RegisterAgentReturnType> {
  const { publish, force = false, fromBlock = 0n, chunkSize = 50_000n, fetchOptions } = parameters
  const account = requireAccount(client, parameters.account, 'registerAgent')
  const file = validateRegistrationFile(parameters.file)
  const { address: registry, agentRegistry } = await resolveRegistry(client, parameters.registry)
  // A URL known now is checked now, before anything is minted.
  if (publish.kind === 'url' && publish.url)
    assertPublishable(publish.url, publish.allowHttp === true)

  if (!force) {
    const existing = await findRegisteredCopy(client, {
      registry,
      agentRegistry,
      owner: account.address,
      file,
      fromBlock,
      chunkSize,
      fetchOptions,
    })
    if (existing) return { ...existing, agentRegistry, existing: true, transactionHashes: [] }
  }

  const registerHash = await writeContract(client, {
    account,
    chain: client.chain ?? null,
    address: registry,
    abi: identityRegistryAbi,
    functionName: 'register',
    args: [],
  })
  const receipt = await waitForSuccess(client, registerHash, 'register')
  const [registered] = parseEventLogs({
    abi: identityRegistryAbi,
    eventName: 'Registered',
    logs: receipt.logs.filter((log) => log.address.toLowerCase() === registry.toLowerCase()),
  })
  if (!registered)
    throw new TransactionRevertedError({
      functionName: 'register',
      hash: registerHash,
      reason: 'missing_event',
    })
  const { agentId } = registered.args

  try {
    const final = withRegistration(file, { agentRegistry, agentId })
    const json = JSON.stringify(final)
    const agentURI = await publishDocument(publish, json, { agentId, file: final, json })
    const uriHash = await writeContract(client, {
      account,
      chain: client.chain ?? null,
      address: registry,
      abi: identityRegistryAbi,
      functionName: 'setAgentURI',
      args: [agentId, agentURI],
    })
    await waitForSuccess(client, uriHash, 'setAgentURI')
    return {
      agentId,
      agentRegistry,
      agentURI,
      file: final,
      json,
      existing: false,
      transactionHashes: [registerHash, uriHash],
    }
  } catch (cause) {
    // The id is minted: say which one, so the caller finishes instead of minting again.
    throw new RegistrationIncompleteError({ agentId, cause })
  }
}

/**
 * The newest agent registered by `owner`, still owned by it, whose file equals `file` plus its
 * own registration. Unreadable files never match (so a broken earlier attempt never blocks).
 */
async function findRegisteredCopy(
  client: Client,
  parameters: {
    registry: Address
    agentRegistry: AgentRegistry
    owner: Address
    file: RegistrationFile
    fromBlock: bigint
    chunkSize: bigint
    fetchOptions: FetchDocumentParameters | undefined
  },
): Promise<
  Omit<RegisterAgentReturnType, 'agentRegistry' | 'existing' | 'transactionHashes'> | undefined
> {
  const { registry, agentRegistry, owner, file, fromBlock, chunkSize, fetchOptions } = parameters
  const balance = await readContract(client, {
    address: registry,
    abi: identityRegistryAbi,
    functionName: 'balanceOf',
    args: [owner],
  })
  if (balance === 0n) return undefined

  const toBlock = await getBlockNumber(client, { cacheTime: 0 })
  const event = identityRegistryAbi.find(
    (item) => item.type === 'event' && item.name === 'Registered',
  )!
  const logs = await scanBlocks({ fromBlock, toBlock, chunkSize }, (from, to) =>
    getLogs(client, { address: registry, event, args: { owner }, fromBlock: from, toBlock: to }),
  )
  const ids = [...new Set(logs.map((log) => log.args.agentId!))].reverse()
  for (const agentId of ids) {
    const [currentOwner, agentURI] = await Promise.all([
      readContract(client, {
        address: registry,
        abi: identityRegistryAbi,
        functionName: 'ownerOf',
        args: [agentId],
      }),
      readContract(client, {
        address: registry,
        abi: identityRegistryAbi,
        functionName: 'tokenURI',
        args: [agentId],
      }),
    ])
    if (currentOwner.toLowerCase() !== owner.toLowerCase() || agentURI === '') continue
    const expected = withRegistration(file, { agentRegistry, agentId })
    try {
      const { bytes } = await fetchDocument(agentURI, fetchOptions)
      const published = normalizeRegistrationFile(bytes).file
      if (contentHash(published) === contentHash(expected))
        return { agentId, agentURI, file: published, json: new TextDecoder().decode(bytes) }
    } catch {
      // An unreadable or invalid file is not a copy of this one.
    }
  }
  return undefined
}
