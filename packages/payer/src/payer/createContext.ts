import type { Asset } from '@tollgate/evm'
import { assets as registryAssets } from '@tollgate/evm'
import type { CreatePayerParameters } from '../createPayer.js'
import type { DiagnosticChannels } from '../diagnostics.js'
import { diagnosticChannels, publish } from '../diagnostics.js'
import { createPolicy, isPolicy, policyEngine } from '../policy/createPolicy.js'
import type { Inspector } from '../purchases/inspectAuthorization.js'
import { createInspector } from '../purchases/inspectAuthorization.js'
import { createPurchaseBook } from './book.js'
import type { PayerContext } from './context.js'
import { heldPaymentOf } from './heldPayment.js'
import type { LogLoader } from './loadLog.js'
import { createLogLoader } from './loadLog.js'
import { createLocks } from './locks.js'
import { createRecorder } from './recorder.js'

/** Builds what a payer's parts share from its parameters: the factory only wires these. */
export function createPayerContext(parameters: CreatePayerParameters): {
  ctx: PayerContext
  loader: LogLoader
} {
  const { account, receipts, onReceipt, assets = [], channels = diagnosticChannels } = parameters
  const policy = policyEngine(
    isPolicy(parameters.policy) ? parameters.policy : createPolicy(parameters.policy ?? {}),
  )
  const registry: readonly Asset[] = [...assets, ...registryAssets]
  const book = createPurchaseBook()
  const loader = createLogLoader({ receipts, book, policy, registry })
  const inspector = inspectorFor(parameters, channels)
  const ctx: PayerContext = {
    account,
    policy,
    registry,
    receipts,
    book,
    locks: createLocks(),
    inspector,
    channels,
    now: () => policy.now(),
    load: () => loader.load(),
    record: createRecorder({ book, receipts, onReceipt, channels }),
    hold: (receipt) => policy.hold(heldPaymentOf(receipt, registry), receipt.id),
    async inspect(receipt) {
      try {
        return await inspector.inspect(receipt)
      } catch (error) {
        publish(channels.error, { error, receipt, stage: 'reconcile' })
        return undefined
      }
    },
  }
  return { ctx, loader }
}

function inspectorFor(
  { reconcile = {}, fetch }: CreatePayerParameters,
  channels: DiagnosticChannels,
): Inspector {
  return createInspector(reconcile, {
    // Looked up per call, so a fetch installed later (a test, a polyfill) is used.
    send: (input, init) => (fetch ?? globalThis.fetch)(input, init),
    onError: (error, receipt) => publish(channels.error, { error, receipt, stage: 'reconcile' }),
  })
}
