import { createFileReceiptLog } from '../src/receipts/createFileReceiptLog.js'
import type { Receipt } from '../src/receipts/receipt.js'

// A child process for receiptLogCrash.test.ts: appends large receipts to a file log in a loop and
// prints `ack <id>` once each append has resolved, until it is killed.

const [path, prefix, bytes] = process.argv.slice(2) as [string, string, string]
const log = createFileReceiptLog(path)
const padding = 'x'.repeat(Number(bytes))

function receipt(id: string, url: string): Receipt {
  const accepted = {
    scheme: 'exact',
    network: 'eip155:84532',
    amount: '10000',
    asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
    payTo: '0x1111111111111111111111111111111111111111',
    maxTimeoutSeconds: 60,
    extra: { name: 'USDC', version: '2' },
  }
  return {
    id,
    purchase: id,
    url,
    method: 'GET',
    x402Version: 2,
    requested: { x402Version: 2, resource: { url }, accepts: [accepted] },
    accepted,
    signed: {
      x402Version: 2,
      accepted,
      payload: {
        signature: `0x${'ab'.repeat(65)}`,
        authorization: {
          from: '0x2222222222222222222222222222222222222222',
          to: accepted.payTo,
          value: '10000',
          validAfter: '1700000000',
          validBefore: '1700000060',
          nonce: `0x${'cd'.repeat(32)}`,
        },
      },
    },
    settlement: undefined,
    transaction: undefined,
    status: 'indeterminate',
    disputed: undefined,
    amount: 10_000n,
    asset: accepted.asset,
    network: accepted.network,
    payTo: accepted.payTo,
    payer: '0x2222222222222222222222222222222222222222',
    preemptive: false,
    responseStatus: undefined,
    at: 1_700_000_000_000,
  }
}

for (let index = 0; ; index++) {
  const id = `${prefix}-${index}`
  await log.append(receipt(id, `https://api.example.com/report?pad=${padding}`))
  process.stdout.write(`ack ${id}\n`)
}
