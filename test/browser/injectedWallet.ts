import type { Page } from 'playwright-core'
import { type Account, type Hex, type PublicClient, toHex } from 'viem'

// A browser wallet for headless Chromium, backed by a real key and a real chain: the page gets an
// EIP-1193 provider (announced through EIP-6963 and/or set as `window.ethereum`) whose every call
// is bridged to Node with `page.exposeFunction`. There the account signs typed data locally, as a
// wallet extension does, the wallet's own calls (accounts, chain switching) are answered from its
// state, and everything else is forwarded to anvil. The key never enters the page.

/** How the wallet shows itself to the page. */
export type Discovery = 'eip6963' | 'window.ethereum'

export type InjectWalletParameters = {
  account: Account & { signTypedData: NonNullable<Account['signTypedData']> }
  /** Where calls the wallet does not answer itself go: the devnet. */
  publicClient: PublicClient
  discovery: Discovery
  /** The chain the wallet starts on, and the only one it knows. @default 1 */
  startChainId?: number | undefined
}

/** What the test reads of (and tells) the wallet. */
export type InjectedWallet = {
  /** Methods the page called, in order. */
  readonly calls: string[]
  /** Signatures the account made. */
  readonly signatures: number
  /** The next `eth_signTypedData_v4` is refused as a person would (4001), and nothing is signed. */
  rejectNextSignature(): void
}

/** An EIP-1193 error, as it crosses the bridge. */
class RpcError {
  constructor(
    readonly code: number,
    readonly message: string,
  ) {}
}

/** `eth_signTypedData_v4`'s JSON, as viem signs it: the message's uint fields as bigints. */
function reviveTypedData(json: string) {
  const typedData = JSON.parse(json)
  const fields: { name: string; type: string }[] = typedData.types[typedData.primaryType] ?? []
  for (const { name, type } of fields)
    if (/^u?int\d*$/.test(type)) typedData.message[name] = BigInt(typedData.message[name])
  return typedData
}

/** The page side: a provider whose `request` goes through the exposed `tollgateWallet`. */
function providerScript(discovery: Discovery, uuid: string): string {
  return `(() => {
  const provider = {
    async request({ method, params }) {
      const answer = JSON.parse(await window.tollgateWallet(JSON.stringify({ method, params: params ?? [] })))
      if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code })
      return answer.result
    },
    on() {},
    removeListener() {},
  }
  if (${JSON.stringify(discovery)} === 'window.ethereum') { window.ethereum = provider; return }
  const detail = Object.freeze({
    info: { uuid: ${JSON.stringify(uuid)}, name: 'Test Wallet', icon: 'data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg"/>', rdns: 'dev.tollgate.test' },
    provider,
  })
  const announce = () => window.dispatchEvent(new CustomEvent('eip6963:announceProvider', { detail }))
  window.addEventListener('eip6963:requestProvider', announce)
  announce()
})()`
}

/** Gives `page` a wallet; call before navigating. */
export async function injectWallet(
  page: Page,
  { account, publicClient, discovery, startChainId = 1 }: InjectWalletParameters,
): Promise<InjectedWallet> {
  const calls: string[] = []
  const known = new Map<number, string | undefined>([[startChainId, undefined]])
  let chainId = startChainId
  let signatures = 0
  let rejectSignature = false

  async function answer(method: string, params: unknown[]): Promise<unknown> {
    switch (method) {
      case 'eth_requestAccounts':
      case 'eth_accounts':
        // Lower case, as MetaMask answers.
        return [account.address.toLowerCase()]
      case 'eth_chainId':
        return toHex(chainId)
      case 'wallet_switchEthereumChain': {
        const wanted = Number((params[0] as { chainId: string }).chainId)
        if (!known.has(wanted)) throw new RpcError(4902, `Unrecognized chain ID ${toHex(wanted)}.`)
        chainId = wanted
        return null
      }
      case 'wallet_addEthereumChain':
        return addChain(params[0] as { chainId: string; rpcUrls: string[] })
      case 'eth_signTypedData_v4':
        return sign(params as [string, string])
      default:
        return publicClient.request({ method, params } as never)
    }
  }

  /** As a wallet does: the RPC must answer with the chain id it claims; then switch to it. */
  async function addChain({ chainId: hex, rpcUrls }: { chainId: string; rpcUrls: string[] }) {
    const response = await fetch(rpcUrls[0]!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    })
    const { result } = (await response.json()) as { result: Hex }
    if (Number(result) !== Number(hex)) throw new RpcError(-32602, 'The RPC is on another chain.')
    known.set(Number(hex), rpcUrls[0])
    chainId = Number(hex)
    return null
  }

  async function sign([address, json]: [string, string]) {
    if (address.toLowerCase() !== account.address.toLowerCase())
      throw new RpcError(4100, 'Unknown account.')
    if (rejectSignature) {
      rejectSignature = false
      throw new RpcError(4001, 'User rejected the request.')
    }
    const typedData = reviveTypedData(json)
    // MetaMask refuses typed data for a chain other than the active one.
    if (Number(typedData.domain.chainId) !== chainId)
      throw new RpcError(-32602, 'The typed data is for another chain than the active one.')
    signatures++
    return account.signTypedData(typedData)
  }

  await page.exposeFunction('tollgateWallet', async (request: string) => {
    const { method, params } = JSON.parse(request) as { method: string; params: unknown[] }
    calls.push(method)
    try {
      return JSON.stringify({ result: await answer(method, params) })
    } catch (error) {
      const { code = -32603, message = String(error) } = error as Partial<RpcError>
      return JSON.stringify({ error: { code, message } })
    }
  })
  await page.addInitScript(providerScript(discovery, crypto.randomUUID()))
  return {
    calls,
    get signatures() {
      return signatures
    },
    rejectNextSignature() {
      rejectSignature = true
    },
  }
}
