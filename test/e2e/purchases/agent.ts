import { getReceipt, wrapFetch } from '@tollgate/fetch'
import { createFileReceiptLog } from '@tollgate/fetch/node'
import type { Address, Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

// An agent process for restart.test.ts: buys one purchase with a receipt log on disk and prints
// what it got as one JSON line. The test kills it mid-purchase and runs it again.

const [url, logPath, purchase, rpcUrl, network, asset, name, version] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  Address,
  string,
  string,
]
let signatures = 0
const inner = privateKeyToAccount(process.env.AGENT_KEY as Hex)
const account = {
  ...inner,
  signTypedData: ((typedData: Parameters<typeof inner.signTypedData>[0]) => {
    if (typedData.primaryType === 'TransferWithAuthorization') signatures++
    return inner.signTypedData(typedData)
  }) as typeof inner.signTypedData,
}
const pay = wrapFetch({
  account,
  assets: [
    {
      chainId: Number(network.split(':')[1]),
      network: network as `eip155:${number}`,
      address: asset,
      symbol: 'USDC',
      decimals: 6,
      eip712: { name, version },
    },
  ],
  receipts: createFileReceiptLog(logPath),
  reconcile: { chains: { [network]: rpcUrl } },
})
const response = await pay(url, { purchase: { id: purchase } })
const body = await response.text()
process.stdout.write(
  `${JSON.stringify({ status: response.status, body, signatures, receipt: getReceipt(response)?.status })}\n`,
)
