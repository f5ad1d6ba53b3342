import type { PageChain } from '../pageData.js'
import { PageError } from './pageError.js'
import { hasCode, type Provider } from './wallet.js'

/**
 * Puts the wallet on the option's chain: `wallet_switchEthereumChain`, and when the wallet does not
 * know the chain (4902), `wallet_addEthereumChain` with the public RPC the provider gave the page.
 * Without one the person is told to add the network themselves. Checked again at the end, since
 * some wallets answer a switch without making it.
 */
export async function useChain(provider: Provider, chain: PageChain): Promise<void> {
  if ((await currentChain(provider)) === Number(chain.chainId)) return
  const switchChain = () =>
    provider.request({ method: 'wallet_switchEthereumChain', params: [{ chainId: chain.chainId }] })
  try {
    await switchChain()
  } catch (error) {
    if (!hasCode(error, 4902)) throw error
    if (!chain.add)
      throw new PageError(
        `Your wallet does not know ${chain.name} (chain id ${Number(chain.chainId)}) and this page has no public RPC for it: add the network to your wallet, then pay again.`,
      )
    await provider.request({ method: 'wallet_addEthereumChain', params: [chain.add] })
    if ((await currentChain(provider)) !== Number(chain.chainId)) await switchChain()
  }
  if ((await currentChain(provider)) !== Number(chain.chainId))
    throw new PageError(`Your wallet is not on ${chain.name}: switch it there, then pay again.`)
}

async function currentChain(provider: Provider): Promise<number> {
  return Number(await provider.request({ method: 'eth_chainId' }))
}
