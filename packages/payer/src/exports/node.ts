// The Node-only part of @tollgate/payer: it reads and writes files.

export { createFileReceiptLog } from '../receipts/createFileReceiptLog.js'
