import type { Devnet } from '@tollgate/contracts/devnet'
import type { Address } from 'viem'
// `@tollgate/contracts` does not export the BatchSettler artifact yet; the facilitator's own tests
// read it from the generated sources the same way.
import {
  batchSettlerAbi,
  batchSettlerBytecode,
} from '../../packages/contracts/src/generated/BatchSettler.js'

/** Deploys the batch settler on the devnet (from the deployer) and returns its address. */
export async function deployBatchSettler(devnet: Devnet): Promise<Address> {
  const hash = await devnet.walletClient(devnet.deployer.account).deployContract({
    abi: batchSettlerAbi,
    bytecode: batchSettlerBytecode,
  })
  const receipt = await devnet.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success' || !receipt.contractAddress)
    throw new Error('BatchSettler did not deploy')
  return receipt.contractAddress
}
