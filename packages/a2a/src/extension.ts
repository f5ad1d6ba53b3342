// The a2a-x402 extension: its URIs and how an agent card declares it. Peers in the wild use the
// v0.1 URI (the Python reference, npm `a2a-x402`) and the v0.2 one (the current spec); both name
// the same flow, so either activates it.

/** The extension URI of each version of the a2a-x402 spec. */
export const x402ExtensionUris = {
  /** `spec/v0.2/spec.md`, the current version. */
  'v0.2': 'https://github.com/google-agentic-commerce/a2a-x402/blob/main/spec/v0.2',
  /** `spec/v0.1/spec.md`: the URI the Python reference and npm `a2a-x402` use. */
  'v0.1': 'https://github.com/google-a2a/a2a-x402/v0.1',
} as const

/** A version of the a2a-x402 spec. */
export type X402ExtensionVersion = keyof typeof x402ExtensionUris

/** The versions an agent declares by default: the current one first. */
export const defaultExtensionVersions: readonly X402ExtensionVersion[] = ['v0.2', 'v0.1']

/** Whether a URI is one of the a2a-x402 extension's. */
export function isX402ExtensionUri(uri: string): boolean {
  return uri === x402ExtensionUris['v0.2'] || uri === x402ExtensionUris['v0.1']
}

/** An entry of an agent card's `capabilities.extensions`. */
export type X402ExtensionDeclaration = {
  uri: string
  description: string
  required: boolean
  params: Record<string, unknown> | undefined
}

/** Parameters of {@link declareX402Extension}. */
export type DeclareX402ExtensionParameters = {
  /** The spec versions to declare. @default ['v0.2', 'v0.1'] */
  versions?: readonly X402ExtensionVersion[] | undefined
  /**
   * Whether a client must activate the extension to talk to the agent (the spec recommends it).
   * An agent that declares both versions accepts either one's activation.
   * @default true
   */
  required?: boolean | undefined
  /** @default 'Supports payments using the x402 protocol for on-chain settlement.' */
  description?: string | undefined
}

/**
 * The `capabilities.extensions` entries that declare the a2a-x402 extension, one per version, in
 * the spec's shape (`{ uri, description, required }`).
 *
 * @example
 * ```ts
 * import { declareX402Extension } from '@tollgate/a2a'
 *
 * const card = { ...agentCard, capabilities: { extensions: declareX402Extension() } }
 * ```
 */
export function declareX402Extension(
  parameters: DeclareX402ExtensionParameters = {},
): X402ExtensionDeclaration[] {
  const {
    versions = defaultExtensionVersions,
    required = true,
    description = 'Supports payments using the x402 protocol for on-chain settlement.',
  } = parameters
  return versions.map((version) => ({
    uri: x402ExtensionUris[version],
    description,
    required,
    params: undefined,
  }))
}
