// The Node-only part of @tollgate/fetch: it reads and writes files (the payer's file receipt log).

export { createFileReceiptLog } from '@tollgate/payer/node'
