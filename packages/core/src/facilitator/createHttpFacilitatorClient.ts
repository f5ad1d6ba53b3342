import type { FacilitatorError, FacilitatorTimeoutError } from '../errors/facilitator.js'
import type { SettlementStatusResponse } from '../schemas/status.js'
import type { PaymentPayloadV1, PaymentRequirementsV1 } from '../schemas/v1.js'
import {
  type PaymentPayload,
  type PaymentRequirements,
  type SettleResponse,
  type SupportedResponse,
  settleResponseSchema,
  type VerifyResponse,
  verifyResponseSchema,
} from '../schemas/v2.js'
import { createFacilitatorCall } from './facilitatorCall.js'
import type { SettlementMode } from './settlement.js'
import { createSettlementModeSupport } from './settlementModeSupport.js'
import { readSettlementStatus } from './settlementStatus.js'

/** A payment and the requirements it answers, v2 or v1 (the `/verify` and `/settle` input). */
export type FacilitatorRequest =
  | { paymentPayload: PaymentPayload; paymentRequirements: PaymentRequirements }
  | { paymentPayload: PaymentPayloadV1; paymentRequirements: PaymentRequirementsV1 }

/** The `/settle` input: the pair, plus the mode the caller wants (a Tollgate extension). */
export type SettleParameters = FacilitatorRequest & {
  /**
   * When to answer. Not part of the x402 wire: a facilitator that does not know it answers in its
   * own mode (the reference: `confirmed`), so the HTTP client sends it only to a facilitator whose
   * `/supported` lists the mode for the kind (`sendSettlementMode`).
   */
  settlement?: SettlementMode | undefined
}

/** A facilitator: verifies and settles payments, and says what it supports. */
export interface FacilitatorClient {
  /** Checks a payment without moving funds. */
  verify(parameters: FacilitatorRequest): Promise<VerifyResponse>
  /** Settles a payment on-chain. */
  settle(parameters: SettleParameters): Promise<SettleResponse>
  /** The (version, scheme, network) kinds, extensions and signers of the facilitator. */
  supported(): Promise<SupportedResponse>
}

/** Headers per facilitator call, as `createAuthHeaders` returns them. */
export type FacilitatorAuthHeaders = {
  verify?: Record<string, string> | undefined
  settle?: Record<string, string> | undefined
  supported?: Record<string, string> | undefined
}

/** Options of {@link createHttpFacilitatorClient}. */
export type CreateHttpFacilitatorClientParameters = {
  /** Base URL; `/verify`, `/settle` and `/supported` are appended. */
  url: string
  /**
   * The fetch to use. Without one, calls go over `node:http(s)` with a keep-alive pool on Node
   * (a quarter of `fetch`'s CPU per call; a proxy set in the environment or a redirect still goes
   * through `globalThis.fetch`), and through `globalThis.fetch` elsewhere.
   * @default globalThis.fetch
   */
  fetch?: typeof globalThis.fetch | undefined
  /** Headers sent with every call. */
  headers?: Record<string, string> | undefined
  /** Called before each call for fresh per-call headers (e.g. a CDP JWT). */
  createAuthHeaders?: (() => Promise<FacilitatorAuthHeaders>) | undefined
  /**
   * Limit per call, covering the response body too, in milliseconds.
   * @default 30_000
   */
  timeoutMs?: number | undefined
  /**
   * When a settle call's `settlement` mode goes in the `/settle` body (a Tollgate extension; other
   * facilitators may refuse unknown fields). `'auto'`: when the facilitator's `/supported` lists
   * that mode for the payment's kind (`extra.settlementModes`), read once and kept; a facilitator
   * that lists none (the reference, Coinbase's) gets the reference body exactly. `true`: always;
   * `false`: never (the facilitator then settles in its own default mode, whatever was asked).
   * @default 'auto'
   */
  sendSettlementMode?: boolean | 'auto' | undefined
}

/**
 * A settlement a Tollgate facilitator's status endpoint is asked about: by its key (the EIP-3009
 * authorization: network, token, payer, nonce), or by the payment id a payload carried.
 */
export type SettlementStatusQuery =
  | {
      /** CAIP-2 (`eip155:8453`) or the chain id. */
      network: string | number
      asset: string
      payer: string
      nonce: string
    }
  | { paymentId: string }

/** A facilitator over HTTP: the x402 calls, and the status endpoint Tollgate facilitators serve. */
export type HttpFacilitatorClient = FacilitatorClient & {
  /**
   * What a Tollgate facilitator knows of a settlement (`GET /settlements/...`): by key, the one
   * settlement or `undefined` when it has none; by payment id, every settlement with that id
   * (none is `[]`). Other facilitators have no such endpoint: the call rejects with
   * `FacilitatorError`.
   */
  status(query: { paymentId: string }): Promise<SettlementStatusResponse[]>
  status(query: SettlementStatusQuery): Promise<SettlementStatusResponse | undefined>
}

/** What {@link createHttpFacilitatorClient} returns. */
export type CreateHttpFacilitatorClientReturnType = HttpFacilitatorClient

/** The errors the client's calls reject with. */
export type CreateHttpFacilitatorClientErrorType = FacilitatorError | FacilitatorTimeoutError

/**
 * Creates a client for an x402 facilitator's HTTP API. A Verify/Settle response is returned
 * whatever the status (Coinbase's CDP answers 400 with one); anything else rejects with
 * `FacilitatorError` (status, body excerpt, `cause`), or `FacilitatorTimeoutError`.
 *
 * @example
 * ```ts
 * import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
 * const facilitator = createHttpFacilitatorClient({ url: 'https://x402.org/facilitator' })
 * const { kinds } = await facilitator.supported()
 * ```
 */
export function createHttpFacilitatorClient(
  parameters: CreateHttpFacilitatorClientParameters,
): HttpFacilitatorClient {
  const call = createFacilitatorCall(parameters)
  const modes = createSettlementModeSupport(call, parameters.sendSettlementMode)
  function status(query: { paymentId: string }): Promise<SettlementStatusResponse[]>
  function status(query: SettlementStatusQuery): Promise<SettlementStatusResponse | undefined>
  function status(query: SettlementStatusQuery) {
    return readSettlementStatus(call, query)
  }
  return {
    status,
    verify({ paymentPayload, paymentRequirements }) {
      return call('verify', verifyResponseSchema, {
        x402Version: paymentPayload.x402Version,
        paymentPayload,
        paymentRequirements,
      })
    },
    async settle({ settlement, ...request }) {
      const send = settlement !== undefined && (await modes.sendsMode(request, settlement))
      return call('settle', settleResponseSchema, {
        x402Version: request.paymentPayload.x402Version,
        paymentPayload: request.paymentPayload,
        paymentRequirements: request.paymentRequirements,
        ...(send ? { settlement } : {}),
      })
    },
    supported: modes.supported,
  }
}
