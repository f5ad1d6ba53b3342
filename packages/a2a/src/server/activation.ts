import type { A2ARequestHandler, ServerCallContext } from '@a2a-js/sdk/server'
import { isX402ExtensionUri, type X402ExtensionDeclaration } from '../extension.js'

// Where the x402 URIs the client asked for are kept for the executor: the SDK keeps only the
// URIs the card declares, and this transport accepts either version's URI.
const requestedKey = 'tollgate.x402.requested'

/**
 * The request handler with the extension's activation as the spec asks: a client activates it
 * with either version's URI (`A2A-Extensions`, or `X-A2A-Extensions` on the A2A 0.3 wire), which
 * satisfies every x402 declaration of the card, `required` ones included. A request that activates
 * none is refused by the SDK when the card marks the extension required.
 */
export function withX402Activation(
  handler: A2ARequestHandler,
  declared: readonly X402ExtensionDeclaration[],
): A2ARequestHandler {
  const expand = (context: ServerCallContext) => {
    const requested = context.requestedExtensions ?? []
    const x402 = requested.filter(isX402ExtensionUri)
    if (x402.length === 0) return
    context.state.set(requestedKey, x402)
    const missing = declared.map(({ uri }) => uri).filter((uri) => !requested.includes(uri))
    context.setRequestedExtensions([...requested, ...missing])
  }
  return {
    getAgentCard: () => handler.getAgentCard(),
    getAuthenticatedExtendedAgentCard: (params, context) =>
      handler.getAuthenticatedExtendedAgentCard(params, context),
    sendMessage: (params, context) => {
      expand(context)
      return handler.sendMessage(params, context)
    },
    sendMessageStream: (params, context) => {
      expand(context)
      return handler.sendMessageStream(params, context)
    },
    getTask: (params, context) => handler.getTask(params, context),
    cancelTask: (params, context) => handler.cancelTask(params, context),
    createTaskPushNotificationConfig: (params, context) =>
      handler.createTaskPushNotificationConfig(params, context),
    getTaskPushNotificationConfig: (params, context) =>
      handler.getTaskPushNotificationConfig(params, context),
    listTaskPushNotificationConfigs: (params, context) =>
      handler.listTaskPushNotificationConfigs(params, context),
    deleteTaskPushNotificationConfig: (params, context) =>
      handler.deleteTaskPushNotificationConfig(params, context),
    resubscribe: (params, context) => handler.resubscribe(params, context),
    listTasks: (params, context) => handler.listTasks(params, context),
  }
}

/**
 * Confirms the activation to the client (the SDK echoes activated URIs in the response's
 * extensions header) and returns the x402 URIs it asked for.
 */
export function activateX402(context: ServerCallContext): string[] {
  const kept = context.state.get(requestedKey)
  const uris = Array.isArray(kept)
    ? (kept as string[])
    : (context.requestedExtensions ?? []).filter(isX402ExtensionUri)
  for (const uri of uris) context.addActivatedExtension(uri)
  return uris
}
