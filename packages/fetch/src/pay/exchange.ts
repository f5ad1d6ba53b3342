import type { Attempt, Receipt } from '@tollgate/payer'
import type { ResponseLike } from '../challenge.js'
import { readSettlement } from '../challenge.js'
import { attachReceipt } from '../getReceipt.js'
import type { PreparedRequest } from '../request.js'
import { followRedirect } from './followRedirect.js'
import { neverSent } from './neverSent.js'
import { paymentHeader } from './paymentHeader.js'
import type { FetchTransport } from './transport.js'

/**
 * Sends the request with an attempt's payment to the URL it pays and tells the payer what came
 * back: the status and settlement header of the answer, or that no answer came (a refused
 * connection proves the payment never left; any other failure may have reached the server). The
 * paid request never follows a redirect itself: a redirect is followed afterwards without the
 * payment (`followRedirect`). Shared by a first payment and a purchase's retry.
 */
export async function exchange(
  { send }: FetchTransport,
  request: PreparedRequest,
  attempt: Attempt,
): Promise<{ response: ResponseLike; receipt: Receipt }> {
  const url = new URL(attempt.url)
  let response: ResponseLike
  try {
    response = await send(url.href, {
      ...request.init(paymentHeader(attempt.payload)),
      redirect: 'manual',
    })
  } catch (error) {
    if (neverSent(error)) await attempt.notSent()
    else await attempt.lost()
    throw error
  }
  const receipt = await attempt.answered({
    status: response.status,
    settlement: readSettlement(response, attempt.payload.x402Version),
  })
  attachReceipt(response, receipt)
  const delivered = await followRedirect(send, { request, url, response })
  attachReceipt(delivered, receipt)
  return { response: delivered, receipt }
}
