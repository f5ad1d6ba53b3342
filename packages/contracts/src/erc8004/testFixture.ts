// Test fixture shared by the registry tests (not exported from any entry): a devnet with freshly
// deployed registries, typed contract handles per account, and helpers to await a receipt or read a
// revert reason.
import { type Devnet, startDevnet } from '@tollgate/contracts/devnet'
import { FixtureOutsideTestError } from '@tollgate/test'
import {
  type Abi,
  type Account,
  type Address,
  type BaseError,
  decodeErrorResult,
  getContract,
  type Hash,
  type Hex,
  isHex,
  parseEventLogs,
  slice,
} from 'viem'
import { afterAll, beforeAll, expect } from 'vitest'
import { identityRegistryAbi } from '../generated/IdentityRegistry.js'
import { reputationRegistryAbi } from '../generated/ReputationRegistry.js'
import { smartWalletAbi } from '../generated/SmartWallet.js'
import { validationRegistryAbi } from '../generated/ValidationRegistry.js'
import { type DeployRegistriesReturnType, deployRegistries } from './deployRegistries.js'

/** Every custom error the registries can raise, including ERC-721 ones raised by the identity. */
const errorsAbi: Abi = [
  ...identityRegistryAbi,
  ...reputationRegistryAbi,
  ...validationRegistryAbi,
  ...smartWalletAbi,
].filter((item) => item.type === 'error')

/** Starts a devnet with the three registries deployed for the calling test file. */
export function useRegistries({ accounts = 6 }: { accounts?: number | undefined } = {}) {
  let devnet: Devnet | undefined
  let registries: DeployRegistriesReturnType | undefined

  beforeAll(async () => {
    devnet = await startDevnet({ accounts })
    registries = await deployOn(devnet)
  })
  afterAll(async () => {
    await devnet?.stop()
  })

  const chain = () => {
    if (!devnet || !registries) throw new FixtureOutsideTestError({ fixture: 'useRegistries' })
    return { devnet, registries }
  }
  const clients = (account: Account) => ({
    public: chain().devnet.publicClient,
    wallet: chain().devnet.walletClient(account),
  })
  const identity = (account: Account, address?: Address | undefined) =>
    getContract({
      address: address ?? chain().registries.identityRegistry,
      abi: identityRegistryAbi,
      client: clients(account),
    })

  return {
    get devnet() {
      return chain().devnet
    },
    get registries() {
      return chain().registries
    },
    /** The devnet's funded accounts (not the deployer), as viem accounts. */
    accounts: () => chain().devnet.accounts.map((a) => a.account),
    identity,
    reputation: (account: Account) =>
      getContract({
        address: chain().registries.reputationRegistry,
        abi: reputationRegistryAbi,
        client: clients(account),
      }),
    validation: (account: Account) =>
      getContract({
        address: chain().registries.validationRegistry,
        abi: validationRegistryAbi,
        client: clients(account),
      }),
    /** Awaits the transaction and asserts it succeeded. */
    mined: async (hash: Promise<Hash>) => {
      const receipt = await chain().devnet.publicClient.waitForTransactionReceipt({
        hash: await hash,
      })
      expect(receipt.status).toBe('success')
      return receipt
    },
    /** Registers an agent for `owner` and returns its id. */
    register: async (owner: Account, uri = 'ipfs://agent') => {
      const hash = await identity(owner).write.register([uri])
      const receipt = await chain().devnet.publicClient.waitForTransactionReceipt({ hash })
      const [event] = parseEventLogs({
        abi: identityRegistryAbi,
        logs: receipt.logs,
        eventName: 'Registered',
      })
      return event!.args.agentId
    },
  }
}

/**
 * Deploys the registries on `devnet`, whose blocks are then stamped by the chain's clock, not the
 * wall clock: each one second after the last. A gas estimate is taken for the next block's
 * timestamp; with wall-clock stamps, a write estimated in the second of the previous write
 * (`lastUpdate = block.timestamp` unchanged: 100 gas) and mined in the next second (a changed slot:
 * 2,900 gas) ran out of gas, at random and more often under load.
 */
async function deployOn(devnet: Devnet): Promise<DeployRegistriesReturnType> {
  await devnet.testClient.setBlockTimestampInterval({ interval: 1 })
  return deployRegistries(devnet.walletClient(devnet.deployer.account), devnet.publicClient)
}

/**
 * The revert reason of a call or transaction expected to revert: the `Error(string)` message, or
 * the custom error's name (also for errors of a called contract, absent from the caller's ABI).
 */
export async function revertOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    const data = revertData(error)
    if (data === undefined) throw error
    try {
      const { errorName, args } = decodeErrorResult({ abi: errorsAbi, data })
      if (errorName === 'Error') return String(args?.[0])
      if (errorName === 'Panic') return `Panic(${String(args?.[0])})`
      return errorName
    } catch {
      return data.length >= 10 ? slice(data, 0, 4) : data
    }
  }
  return expect.fail('expected a revert')
}

/** The raw revert data in a viem error chain (found by shape: clients may use another viem). */
function revertData(error: unknown): Hex | undefined {
  const found = (error as BaseError).walk?.((e) => {
    const { raw, data } = e as { raw?: unknown; data?: unknown }
    return (isHex(raw) && raw !== '0x') || (isHex(data) && data !== '0x')
  }) as { raw?: unknown; data?: unknown } | null | undefined
  if (!found) return undefined
  return (isHex(found.raw) ? found.raw : found.data) as Hex
}
