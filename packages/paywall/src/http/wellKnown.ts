import { agentRegistrationPath } from '@tollgate/core'
import type { ResolvedAgentOption } from '../agent.js'
import type { PaywallResponse } from './types.js'

/**
 * The answer to `GET`/`HEAD /.well-known/agent-registration.json`: public JSON any origin may
 * read (agents check it from browsers too), cached briefly.
 */
export async function agentRegistrationResponse(
  agent: ResolvedAgentOption,
  { method, cors }: { method: string; cors: boolean },
): Promise<PaywallResponse> {
  const file = await agent.registrationFile()
  const body = JSON.stringify(file)
  return {
    status: 200,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(new TextEncoder().encode(body).byteLength),
      'Cache-Control': 'public, max-age=300',
      ...(cors ? { 'Access-Control-Allow-Origin': '*' } : {}),
    },
    body: method === 'HEAD' ? '' : body,
  }
}

/** Whether a request is for the agent's registration file (`GET`/`HEAD` of the well-known path). */
export function isWellKnownRequest(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && path === agentRegistrationPath
}
