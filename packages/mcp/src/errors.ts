import { BaseError } from '@tollgate/core'

export type ConflictingChallengeErrorType = ConflictingChallengeError & {
  name: 'ConflictingChallengeError'
}

/**
 * A payment-required tool result whose `structuredContent` and text say different things
 * (x402#3463): which one a client pays would depend on the client, so neither is paid.
 */
export class ConflictingChallengeError extends BaseError {
  override name = 'ConflictingChallengeError' as const
  /** The tool whose result it was. */
  readonly tool: string

  constructor({ tool }: { tool: string }) {
    super(
      `The payment challenge of tool "${tool}" differs between its structuredContent and its text.`,
      { code: 'TOLLGATE_MCP_CONFLICTING_CHALLENGE', docsPath: '/agents/mcp' },
    )
    this.tool = tool
  }
}
