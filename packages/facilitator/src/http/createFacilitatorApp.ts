import type { ApiKey } from './createAuthorizer.js'
import {
  type CreateFacilitatorHandlerParameters,
  createFacilitatorHandler,
  type FacilitatorHttpParameters,
} from './createFacilitatorHandler.js'
import { createNodeHandler, withNodeHandler } from './nodeHandler.js'
import type { FacilitatorService } from './routeFacilitatorRequest.js'
import { fromWebRequest, toWebResponse } from './webExchange.js'

export type { ApiKey, FacilitatorHttpParameters }

/** A Web-standard handler: `{ fetch(request) }`. */
export type FacilitatorApp = { fetch(request: Request): Promise<Response> }

/** Options of {@link createFacilitatorApp}: the HTTP options and where failures go. */
export type CreateFacilitatorAppParameters = CreateFacilitatorHandlerParameters

/**
 * The facilitator's HTTP API on Web `Request`/`Response`: `POST /verify`, `POST /settle`,
 * `GET /supported`, `GET /settlements/...` (status), `GET /health`, `GET /metrics`. Invalid
 * payments are answered `200` with `isValid: false` / `success: false`, as the reference
 * facilitators do; malformed requests get `4xx` with a JSON `{ error, message }` body that also
 * has the response shape x402 clients parse. `serveFacilitator` serves the same routes straight
 * on `node:http`, without the Web objects.
 */
export function createFacilitatorApp(
  service: FacilitatorService,
  parameters: CreateFacilitatorAppParameters = {},
): FacilitatorApp {
  const handle = createFacilitatorHandler(service, parameters)
  return withNodeHandler(
    {
      async fetch(request: Request) {
        return toWebResponse(await handle(fromWebRequest(request)))
      },
    },
    createNodeHandler(handle),
  )
}
