import { z } from 'zod';
import type { WampProcedureContract, WampTopicContract } from '../../../lib/index.js';
import { DocsUri } from './docs.uris.js';

/**
 * The contracts of the documents API (zod schemas, a Standard Schema library): the router checks every call's
 * arguments against them before Nest's pipeline runs, answering `wamp.error.invalid_argument` with the issues,
 * and `wamp.reflection.procedure.describe` and the generated client show them as JSON Schema.
 */

/** A document as the API returns it. */
export const DocumentSchema = z.object({
  id: z.number().int(),
  title: z.string(),
  body: z.string(),
  createdAt: z.string().describe('When it was created: ISO 8601, UTC.'),
});

/** A document ID: an integer, or an integer string as a loosely typed client may send it. */
const DocumentId = z.union(
  [
    z.number().int(),
    z
      .string()
      .regex(/^-?[0-9]{1,15}$/)
      .transform(Number),
  ],
  {
    error: 'document_id must be an integer',
  },
);

/** `docs.getDocument(document_id)`: positional or kwarg. */
export const GetDocumentContract = {
  description: 'The document with this ID.',
  positional: ['document_id'],
  kwargs: z.strictObject({ document_id: DocumentId }),
  result: DocumentSchema,
  errors: { [DocsUri.NOT_FOUND]: 'There is no document with this ID.' },
} satisfies WampProcedureContract;

export const ListDocumentsContract = {
  description: 'Every document, oldest first.',
  result: z.array(DocumentSchema),
} satisfies WampProcedureContract;

/**
 * `docs.createDocument(title, body)`: positional `[title, body]` or kwargs `{title, body}`, bound as a Python
 * function would bind them. The title is trimmed (the handler receives it trimmed); an unknown kwarg is an error,
 * not silently stored or dropped.
 */
export const CreateDocumentContract = {
  description: 'Creates a document and publishes it on docs.changes.',
  positional: ['title', 'body'],
  kwargs: z.strictObject(
    {
      title: z
        .string({ error: 'title must be a string' })
        .trim()
        .min(1, 'title should not be empty')
        .max(200, 'title must be shorter than or equal to 200 characters'),
      body: z
        .string({ error: 'body must be a string' })
        .max(10_000, 'body must be shorter than or equal to 10000 characters'),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys' ? `property ${issue.keys.join(', ')} should not exist` : undefined,
    },
  ),
  result: DocumentSchema,
  errors: { 'wamp.error.invalid_argument': 'The title is empty or too long, or the body is not a string.' },
} satisfies WampProcedureContract;

export const DeleteDocumentContract = {
  description: 'Deletes the document with this ID and publishes the deletion on docs.changes.',
  positional: ['document_id'],
  kwargs: z.strictObject({ document_id: DocumentId }),
  result: z.object({ status: z.literal('SUCCESS') }),
  errors: { [DocsUri.DELETE_FAILED]: 'There was no document with this ID (kwargs { status: "FAILURE" }).' },
} satisfies WampProcedureContract;

/** `docs.changes`: args `[{ action, document }]`. */
export const DocsChangesContract = {
  description: 'A document was created or deleted.',
  args: z.tuple([z.object({ action: z.enum(['created', 'deleted']), document: DocumentSchema })]),
} satisfies WampTopicContract;
