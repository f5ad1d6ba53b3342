// The client side: an `@a2a-js/sdk` client that pays tasks through the payer engine.

export {
  type PaidA2AClient,
  type PaidSendErrorType,
  type PaidSendOptions,
  type PaidSendResult,
  type SendMessageParameters,
  type WrapA2AClientParameters,
  wrapA2AClient,
} from '../client/wrapA2AClient.js'
