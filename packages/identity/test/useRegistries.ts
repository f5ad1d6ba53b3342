// Test fixture of this package (not shipped: outside `src/`): a devnet per test file with the three
// ERC-8004 registries deployed, and a few helpers on top.
import { type DeployRegistriesReturnType, deployRegistries } from '@tollgate/contracts'
import { type DevnetHandle, FixtureOutsideTestError, listen, useDevnet } from '@tollgate/test'
import { afterAll, beforeAll } from 'vitest'

export type RegistriesHandle = {
  devnet: DevnetHandle
  /** Identity, Reputation and Validation registry addresses. */
  readonly registries: DeployRegistriesReturnType
  /** Wallet client of the devnet's funded account `index`. */
  wallet(index: number): ReturnType<DevnetHandle['walletClient']>
}

/** Starts a devnet in `beforeAll` and deploys the registries on it. */
export function useRegistries({ accounts = 4 }: { accounts?: number } = {}): RegistriesHandle {
  const devnet = useDevnet({ accounts })
  let registries: DeployRegistriesReturnType | undefined
  beforeAll(async () => {
    registries = await deployRegistries(
      devnet.walletClient(devnet.deployer.account),
      devnet.publicClient,
    )
  })
  return {
    devnet,
    get registries() {
      if (!registries) throw new FixtureOutsideTestError({ fixture: 'useRegistries' })
      return registries
    },
    wallet: (index) => devnet.walletClient(devnet.accounts[index]!.account),
  }
}

/**
 * A loopback HTTP server serving documents from a map (path -> body), started for the test file.
 * Paths not in the map answer 404.
 */
export function useDocumentServer() {
  const documents = new Map<string, string>()
  let server: Awaited<ReturnType<typeof listen>> | undefined
  beforeAll(async () => {
    server = await listen((req, res) => {
      const body = documents.get(new URL(req.url ?? '/', 'http://x').pathname)
      if (body === undefined) {
        res.writeHead(404)
        return void res.end()
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(body)
    })
  })
  afterAll(async () => {
    await server?.close()
  })
  return {
    documents,
    get url() {
      if (!server) throw new FixtureOutsideTestError({ fixture: 'useDocumentServer' })
      return server.url
    },
  }
}
