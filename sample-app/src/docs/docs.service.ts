import { Injectable } from '@nestjs/common';
import { WampPublisher, WampTopic } from '../../../lib/index.js';
import { DatabaseService, type Row } from '../database/database.service.js';
import type { Document, DocumentChange } from './document.js';
import { DocsUri } from './docs.uris.js';
import { DocsChangesContract } from './docs.contracts.js';

const COLUMNS = 'id, title, body, created_at';

/** What a new document is made of. */
export interface NewDocument {
  readonly title: string;
  readonly body: string;
}

/**
 * The documents: stored in the embedded database, and every change announced on `docs.changes`. The
 * event is published after the change is on disk, so a subscriber that reacts by calling
 * `docs.getDocument` finds what the event describes. Transport-agnostic on purpose: the controller maps
 * WAMP to these methods, and an HTTP controller could use them as well.
 */
@WampTopic(DocsUri.CHANGES, DocsChangesContract)
@Injectable()
export class DocsService {
  constructor(
    private readonly database: DatabaseService,
    private readonly publisher: WampPublisher,
  ) {}

  /** Every document, oldest first. */
  list(): Document[] {
    return this.database.all(`SELECT ${COLUMNS} FROM documents ORDER BY id`).map(toDocument);
  }

  /** The document with this ID, or undefined. */
  find(id: number): Document | undefined {
    const row = this.database.get(`SELECT ${COLUMNS} FROM documents WHERE id = ?`, [id]);
    return row && toDocument(row);
  }

  /** Stores a new document and announces it; resolves with it once it is on disk. */
  async create(input: NewDocument): Promise<Document> {
    const document = await this.database.change(() => {
      const row = this.database.get(
        `INSERT INTO documents (title, body, created_at) VALUES (?, ?, ?) RETURNING ${COLUMNS}`,
        [input.title, input.body, new Date().toISOString()],
      );
      if (!row) throw new Error('INSERT ... RETURNING returned no row.');
      return toDocument(row);
    });
    this.announce({ action: 'created', document });
    return document;
  }

  /** Deletes a document and announces it; resolves with it, or undefined when there was none. */
  async delete(id: number): Promise<Document | undefined> {
    const row = await this.database.change(() =>
      // RETURNING: the deleted row, read in the same statement (no window between a SELECT and the DELETE).
      this.database.get(`DELETE FROM documents WHERE id = ? RETURNING ${COLUMNS}`, [id]),
    );
    if (!row) return undefined;
    const document = toDocument(row);
    this.announce({ action: 'deleted', document });
    return document;
  }

  /** Deletes every document, announcing each deletion; resolves with how many there were. */
  async deleteAll(): Promise<number> {
    const rows = await this.database.change(() =>
      this.database.all(`DELETE FROM documents RETURNING ${COLUMNS}`),
    );
    const documents = rows.map(toDocument).sort((a, b) => a.id - b.id);
    for (const document of documents) this.announce({ action: 'deleted', document });
    return documents.length;
  }

  private announce(change: DocumentChange): void {
    this.publisher.publish(DocsUri.CHANGES, [change]);
  }
}

/** Maps a row to the API's shape (snake_case columns to camelCase fields, SQL values to typed ones). */
function toDocument(row: Row): Document {
  return {
    id: Number(row.id),
    title: String(row.title),
    body: String(row.body),
    createdAt: String(row.created_at),
  };
}
