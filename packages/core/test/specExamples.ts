// The wire examples of the x402 specifications (coinbase/x402 `specs/`), verbatim. The base64
// strings are the headers printed in `specs/transports-v2/http.md` and `specs/transports-v1/http.md`.

/** `specs/transports-v2/http.md`: the PAYMENT-REQUIRED header. */
export const paymentRequiredHeader =
  'eyJ4NDAyVmVyc2lvbiI6MiwiZXJyb3IiOiJQQVlNRU5ULVNJR05BVFVSRSBoZWFkZXIgaXMgcmVxdWlyZWQiLCJyZXNvdXJjZSI6eyJ1cmwiOiJodHRwczovL2FwaS5leGFtcGxlLmNvbS9wcmVtaXVtLWRhdGEiLCJkZXNjcmlwdGlvbiI6IkFjY2VzcyB0byBwcmVtaXVtIG1hcmtldCBkYXRhIiwibWltZVR5cGUiOiJhcHBsaWNhdGlvbi9qc29uIn0sImFjY2VwdHMiOlt7InNjaGVtZSI6ImV4YWN0IiwibmV0d29yayI6ImVpcDE1NTo4NDUzMiIsImFtb3VudCI6IjEwMDAwIiwiYXNzZXQiOiIweDAzNkNiRDUzODQyYzU0MjY2MzRlNzkyOTU0MWVDMjMxOGYzZENGN2UiLCJwYXlUbyI6IjB4MjA5NjkzQmM2YWZjMEM1MzI4YkEzNkZhRjAzQzUxNEVGMzEyMjg3QyIsIm1heFRpbWVvdXRTZWNvbmRzIjo2MCwiZXh0cmEiOnsibmFtZSI6IlVTREMiLCJ2ZXJzaW9uIjoiMiJ9fV19'

/** `specs/x402-specification-v2.md` 5.1.1 (the header above plus `extensions: {}`). */
export const paymentRequired = {
  x402Version: 2,
  error: 'PAYMENT-SIGNATURE header is required',
  resource: {
    url: 'https://api.example.com/premium-data',
    description: 'Access to premium market data',
    mimeType: 'application/json',
  },
  accepts: [
    {
      scheme: 'exact',
      network: 'eip155:84532',
      amount: '10000',
      asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
      payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
      maxTimeoutSeconds: 60,
      extra: { name: 'USDC', version: '2' },
    },
  ],
  extensions: {},
} as const

/** `specs/transports-v2/http.md`: the PAYMENT-SIGNATURE header. */
export const paymentSignatureHeader =
  'eyJ4NDAyVmVyc2lvbiI6MiwicmVzb3VyY2UiOnsidXJsIjoiaHR0cHM6Ly9hcGkuZXhhbXBsZS5jb20vcHJlbWl1bS1kYXRhIiwiZGVzY3JpcHRpb24iOiJBY2Nlc3MgdG8gcHJlbWl1bSBtYXJrZXQgZGF0YSIsIm1pbWVUeXBlIjoiYXBwbGljYXRpb24vanNvbiJ9LCJhY2NlcHRlZCI6eyJzY2hlbWUiOiJleGFjdCIsIm5ldHdvcmsiOiJlaXAxNTU6ODQ1MzIiLCJhbW91bnQiOiIxMDAwMCIsImFzc2V0IjoiMHgwMzZDYkQ1Mzg0MmM1NDI2NjM0ZTc5Mjk1NDFlQzIzMThmM2RDRjdlIiwicGF5VG8iOiIweDIwOTY5M0JjNmFmYzBDNTMyOGJBMzZGYUYwM0M1MTRFRjMxMjI4N0MiLCJtYXhUaW1lb3V0U2Vjb25kcyI6NjAsImV4dHJhIjp7Im5hbWUiOiJVU0RDIiwidmVyc2lvbiI6IjIifX0sInBheWxvYWQiOnsic2lnbmF0dXJlIjoiMHgyZDZhNzU4OGQ2YWNjYTUwNWNiZjBkOWE0YTIyN2UwYzUyYzZjMzQwMDhjOGU4OTg2YTEyODMyNTk3NjQxNzM2MDhhMmNlNjQ5NjY0MmUzNzdkNmRhOGRiYmY1ODM2ZTliZDE1MDkyZjllY2FiMDVkZWQzZDYyOTNhZjE0OGI1NzFjIiwiYXV0aG9yaXphdGlvbiI6eyJmcm9tIjoiMHg4NTdiMDY1MTlFOTFlM0E1NDUzODc5MWJEYmIwRTIyMzczZTM2YjY2IiwidG8iOiIweDIwOTY5M0JjNmFmYzBDNTMyOGJBMzZGYUYwM0M1MTRFRjMxMjI4N0MiLCJ2YWx1ZSI6IjEwMDAwIiwidmFsaWRBZnRlciI6IjE3NDA2NzIwODkiLCJ2YWxpZEJlZm9yZSI6IjE3NDA2NzIxNTQiLCJub25jZSI6IjB4ZjM3NDY2MTNjMmQ5MjBiNWZkYWJjMDg1NmYyYWViMmQ0Zjg4ZWU2MDM3YjhjYzVkMDRhNzFhNDQ2MmYxMzQ4MCJ9fX0='

/** The exact EVM payload of the specification examples. */
export const exactEvmPayload = {
  signature:
    '0x2d6a7588d6acca505cbf0d9a4a227e0c52c6c34008c8e8986a1283259764173608a2ce6496642e377d6da8dbbf5836e9bd15092f9ecab05ded3d6293af148b571c',
  authorization: {
    from: '0x857b06519E91e3A54538791bDbb0E22373e36b66',
    to: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
    value: '10000',
    validAfter: '1740672089',
    validBefore: '1740672154',
    nonce: '0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480',
  },
} as const

/** `specs/x402-specification-v2.md` 5.2.1. */
export const paymentPayload = {
  x402Version: 2,
  resource: paymentRequired.resource,
  accepted: paymentRequired.accepts[0],
  payload: exactEvmPayload,
  extensions: {},
} as const

/** `specs/transports-v2/http.md`: PAYMENT-RESPONSE, success. */
export const paymentResponseHeader =
  'eyJzdWNjZXNzIjp0cnVlLCJ0cmFuc2FjdGlvbiI6IjB4MTIzNDU2Nzg5MGFiY2RlZjEyMzQ1Njc4OTBhYmNkZWYxMjM0NTY3ODkwYWJjZGVmMTIzNDU2Nzg5MGFiY2RlZiIsIm5ldHdvcmsiOiJlaXAxNTU6ODQ1MzIiLCJwYXllciI6IjB4ODU3YjA2NTE5RTkxZTNBNTQ1Mzg3OTFiRGJiMEUyMjM3M2UzNmI2NiJ9'

/** `specs/transports-v2/http.md`: PAYMENT-RESPONSE, failure (it has no `transaction`). */
export const paymentResponseFailureHeader =
  'eyJzdWNjZXNzIjpmYWxzZSwiZXJyb3JSZWFzb24iOiJpbnN1ZmZpY2llbnRfZnVuZHMiLCJuZXR3b3JrIjoiZWlwMTU1Ojg0NTMyIn0='

/** `specs/x402-specification-v2.md` 7.1: the /verify request (no `x402Version`). */
export const verifyRequest = {
  paymentPayload: {
    x402Version: 2,
    resource: paymentRequired.resource,
    accepted: paymentRequired.accepts[0],
    payload: {
      signature: '0x...',
      authorization: {
        from: '0x...',
        to: '0x...',
        value: '10000',
        validAfter: '1740672089',
        validBefore: '1740672154',
        nonce: '0x...',
      },
    },
  },
  paymentRequirements: paymentRequired.accepts[0],
} as const

/** `specs/x402-specification-v2.md` 7.1 and 7.2: the responses. */
export const verifyResponses = [
  { isValid: true, payer: '0x857b06519E91e3A54538791bDbb0E22373e36b66' },
  {
    isValid: false,
    invalidReason: 'insufficient_funds',
    payer: '0x857b06519E91e3A54538791bDbb0E22373e36b66',
  },
] as const

/** `specs/x402-specification-v2.md` 7.2. */
export const settleResponses = [
  {
    success: true,
    payer: '0x857b06519E91e3A54538791bDbb0E22373e36b66',
    transaction: '0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef',
    network: 'eip155:84532',
  },
  {
    success: false,
    errorReason: 'insufficient_funds',
    payer: '0x857b06519E91e3A54538791bDbb0E22373e36b66',
    transaction: '',
    network: 'eip155:84532',
  },
] as const

/** `specs/x402-specification-v2.md` 7.3. */
export const supportedResponse = {
  kinds: [
    { x402Version: 2, scheme: 'exact', network: 'eip155:84532' },
    { x402Version: 2, scheme: 'exact', network: 'eip155:8453' },
    { x402Version: 2, scheme: 'exact', network: 'eip155:43113' },
    { x402Version: 2, scheme: 'exact', network: 'eip155:43114' },
  ],
  extensions: [],
  signers: {
    'eip155:*': ['0x1234567890abcdef1234567890abcdef12345678'],
    'solana:*': ['CKPKJWNdJEqa81x7CkZ14BVPiY6y16Sxs7owznqtWYp5'],
  },
} as const

/** `specs/transports-v1/http.md`: the 402 body. */
export const paymentRequiredV1 = {
  x402Version: 1,
  error: 'Payment required to access this resource',
  accepts: [
    {
      scheme: 'exact',
      network: 'kairos-testnet',
      maxAmountRequired: '10000',
      asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
      payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
      resource: 'https://api.example.com/premium-data',
      description: 'Access to premium market data',
      mimeType: 'application/json',
      outputSchema: null,
      maxTimeoutSeconds: 60,
      extra: { name: 'USDC', version: '2' },
    },
  ],
} as const

/** `specs/transports-v1/http.md`: the X-PAYMENT header (its network is `base-sepolia`). */
export const xPaymentHeader =
  'eyJ4NDAyVmVyc2lvbiI6MSwic2NoZW1lIjoiZXhhY3QiLCJuZXR3b3JrIjoiYmFzZS1zZXBvbGlhIiwicGF5bG9hZCI6eyJzaWduYXR1cmUiOiIweDJkNmE3NTg4ZDZhY2NhNTA1Y2JmMGQ5YTRhMjI3ZTBjNTJjNmMzNDAwOGM4ZTg5ODZhMTI4MzI1OTc2NDE3MzYwOGEyY2U2NDk2NjQyZTM3N2Q2ZGE4ZGJiZjU4MzZlOWJkMTUwOTJmOWVjYWIwNWRlZDNkNjI5M2FmMTQ4YjU3MWMiLCJhdXRob3JpemF0aW9uIjp7ImZyb20iOiIweDg1N2IwNjUxOUU5MWUzQTU0NTM4NzkxYkRiYjBFMjIzNzNlMzZiNjYiLCJ0byI6IjB4MjA5NjkzQmM2YWZjMEM1MzI4YkEzNkZhRjAzQzUxNEVGMzEyMjg3QyIsInZhbHVlIjoiMTAwMDAiLCJ2YWxpZEFmdGVyIjoiMTc0MDY3MjA4OSIsInZhbGlkQmVmb3JlIjoiMTc0MDY3MjE1NCIsIm5vbmNlIjoiMHhmMzc0NjYxM2MyZDkyMGI1ZmRhYmMwODU2ZjJhZWIyZDRmODhlZTYwMzdiOGNjNWQwNGE3MWE0NDYyZjEzNDgwIn19fQ=='

/** `specs/transports-v1/http.md`: X-PAYMENT-RESPONSE, failure. */
export const xPaymentResponseFailureHeader =
  'eyJzdWNjZXNzIjpmYWxzZSwiZXJyb3JSZWFzb24iOiJpbnN1ZmZpY2llbnRfZnVuZHMiLCJ0cmFuc2FjdGlvbiI6IiIsIm5ldHdvcmsiOiJiYXNlLXNlcG9saWEiLCJwYXllciI6IjB4ODU3YjA2NTE5RTkxZTNBNTQ1Mzg3OTFiRGJiMEUyMjM3M2UzNmI2NiJ9'

/** `specs/extensions/payment_identifier.md`: the client's echo. */
export const paymentIdentifierExtension = {
  schema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { id: { type: 'string', minLength: 16, maxLength: 128 } },
  },
  info: { id: 'pay_7d5d747be160e280504c099d984bcfe0' },
} as const
