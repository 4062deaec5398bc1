/** The documents API's WAMP URIs, in one place for the controller, the service and clients' docs. */
export const DocsUri = {
  GET: 'docs.getDocument',
  LIST: 'docs.listDocuments',
  CREATE: 'docs.createDocument',
  DELETE: 'docs.deleteDocument',
  /** Topic: every create and delete, args `[{ action, document }]`. */
  CHANGES: 'docs.changes',
  /** ERROR of `docs.getDocument` for an unknown ID: args `[message]`, kwargs `{ document_id }`. */
  NOT_FOUND: 'docs.error.not_found',
  /**
   * ERROR of `docs.deleteDocument` when nothing was deleted: args `[]`, kwargs `{ status: 'FAILURE' }`.
   * Kept exactly as serverwamp's example has it, although it sits under the reserved `wamp.` prefix: the
   * spec reserves that prefix for the router's own URIs, and an application error of one's own would
   * rather be e.g. `docs.error.delete_failed`. (Only procedure and topic URIs are checked against the
   * reserved prefix; error URIs are the application's choice.)
   */
  DELETE_FAILED: 'wamp.error.delete_failed',
} as const;
