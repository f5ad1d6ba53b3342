/** An EIP-1193 provider: all the page needs of a wallet. */
export type Provider = {
  request(arguments_: { method: string; params?: unknown }): Promise<unknown>
}

/** An EIP-6963 announcement (`eip6963:announceProvider`). */
type Announcement = { info: { uuid: string; name: string }; provider: Provider }

/**
 * The wallets of this browser: those that announce themselves through EIP-6963 (several can sit
 * side by side), else the legacy `window.ethereum`. When more than one announces, `select` is shown
 * so the person picks one. Returns the chosen provider, read at the time of paying.
 */
export function watchWallets(select: HTMLSelectElement): () => Provider | undefined {
  const announced: Announcement[] = []
  window.addEventListener('eip6963:announceProvider', (event) => {
    const detail = (event as CustomEvent<Announcement | undefined>).detail
    if (typeof detail?.provider?.request !== 'function' || typeof detail.info?.uuid !== 'string')
      return
    if (announced.some((wallet) => wallet.info.uuid === detail.info.uuid)) return
    announced.push(detail)
    select.add(new Option(String(detail.info.name), String(announced.length - 1)))
    const row = select.closest('p')
    if (row) row.hidden = announced.length < 2
  })
  window.dispatchEvent(new Event('eip6963:requestProvider'))
  return () => announced[Number(select.value)]?.provider ?? legacyProvider()
}

function legacyProvider(): Provider | undefined {
  const { ethereum } = window as { ethereum?: Provider }
  return typeof ethereum?.request === 'function' ? ethereum : undefined
}

/**
 * Whether a wallet failure carries an EIP-1193 code (4001: the person said no; 4902: unknown
 * chain), on the error or wrapped inside it (some wallets nest it in `data.originalError`).
 */
export function hasCode(error: unknown, code: number): boolean {
  for (let depth = 0; depth < 4 && typeof error === 'object' && error !== null; depth++) {
    const {
      code: found,
      data,
      cause,
    } = error as {
      code?: unknown
      data?: { originalError?: unknown }
      cause?: unknown
    }
    if (found === code) return true
    error = data?.originalError ?? cause
  }
  return false
}
