// The Node-only part of @tollgate/fetch: it reads and writes files.

export { createFileReceiptLog } from '../receipts/createFileReceiptLog.js'
