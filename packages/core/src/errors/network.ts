import { BaseError, formatValue } from './base.js'

/** The type of {@link UnknownNetworkError}. */
export type UnknownNetworkErrorType = UnknownNetworkError & { name: 'UnknownNetworkError' }

/** A network is neither a CAIP-2 id (`eip155:8453`) nor a known x402 v1 name (`base`). */
export class UnknownNetworkError extends BaseError {
  override name = 'UnknownNetworkError' as const
  /** The network as given (truncated when long). */
  network: string

  constructor({ network }: { network: unknown }) {
    super(`Unknown network ${formatValue(network, 100)}.`, {
      code: 'TOLLGATE_NETWORK_UNKNOWN',
      metaMessages: [
        'Use a CAIP-2 id such as "eip155:84532" or an x402 v1 name such as "base-sepolia".',
      ],
    })
    this.network = typeof network === 'string' ? network.slice(0, 100) : formatValue(network)
  }
}

/** The type of {@link NotEvmNetworkError}. */
export type NotEvmNetworkErrorType = NotEvmNetworkError & { name: 'NotEvmNetworkError' }

/** An EVM chain id was asked of a network outside the `eip155` namespace. */
export class NotEvmNetworkError extends BaseError {
  override name = 'NotEvmNetworkError' as const
  /** The network, as CAIP-2. */
  network: string

  constructor({ network }: { network: string }) {
    super(`Network "${network}" is not an EVM network (eip155).`, {
      code: 'TOLLGATE_NETWORK_NOT_EVM',
    })
    this.network = network
  }
}
