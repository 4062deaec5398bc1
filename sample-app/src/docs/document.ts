/** A document as the API returns it (`docs.getDocument`, `docs.listDocuments`, events on `docs.changes`). */
export interface Document {
  readonly id: number;
  readonly title: string;
  readonly body: string;
  /** When it was created: ISO 8601, UTC (e.g. `2024-05-01T12:00:00.000Z`). */
  readonly createdAt: string;
}

/** What changed, as published on `docs.changes`: args `[DocumentChange]`. */
export interface DocumentChange {
  readonly action: 'created' | 'deleted';
  readonly document: Document;
}

/** What `docs.deleteDocument` returns (the seed's shape). */
export interface DeleteResult {
  readonly status: 'SUCCESS';
}
