import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { WampContract, WampException, type WampContractPayload } from '../../../lib/index.js';
import {
  CreateDocumentContract,
  DeleteDocumentContract,
  GetDocumentContract,
  ListDocumentsContract,
} from './docs.contracts.js';
import type { DeleteResult, Document } from './document.js';
import { DocsService } from './docs.service.js';
import { DocsUri } from './docs.uris.js';

/**
 * The documents API (serverwamp's `docs_api` route set) as WAMP procedures. Each handler declares its contract
 * (see docs.contracts.ts): the router checks the arguments before the handler runs (a bad one answers
 * `wamp.error.invalid_argument` naming each problem), binds positional arguments to their names, and hands the
 * handler the parsed values; the handler maps outcomes to WAMP results and errors; the work is in
 * {@link DocsService}.
 */
@Controller()
export class DocsController {
  constructor(private readonly docs: DocsService) {}

  /**
   * `docs.getDocument(document_id)` -> the document. `document_id` positional or kwarg, an integer (or an
   * integer string). ERROR `docs.error.not_found` when there is no such document.
   */
  @MessagePattern(DocsUri.GET)
  @WampContract(GetDocumentContract)
  getDocument(@Payload() { kwargs }: WampContractPayload<typeof GetDocumentContract>): Document {
    const id = kwargs.document_id;
    const document = this.docs.find(id);
    if (!document) {
      throw new WampException(DocsUri.NOT_FOUND, [`Document ${id} does not exist.`], { document_id: id });
    }
    return document; // RESULT [document]
  }

  /** `docs.listDocuments()` -> every document, oldest first (RESULT `[[document, ...]]`). */
  @MessagePattern(DocsUri.LIST)
  @WampContract(ListDocumentsContract)
  listDocuments(): Document[] {
    return this.docs.list();
  }

  /**
   * `docs.createDocument(title, body)` -> the new document, also published on `docs.changes`. Positional
   * `[title, body]` or kwargs `{title, body}`: the contract binds both forms to kwargs.
   */
  @MessagePattern(DocsUri.CREATE)
  @WampContract(CreateDocumentContract)
  createDocument(
    @Payload() { kwargs }: WampContractPayload<typeof CreateDocumentContract>,
  ): Promise<Document> {
    return this.docs.create(kwargs);
  }

  /**
   * `docs.deleteDocument(document_id)` -> `{ status: 'SUCCESS' }`, the deletion published on
   * `docs.changes`; ERROR `wamp.error.delete_failed`, args `[]`, kwargs `{ status: 'FAILURE' }` when
   * there was nothing to delete (serverwamp's example, exactly).
   */
  @MessagePattern(DocsUri.DELETE)
  @WampContract(DeleteDocumentContract)
  async deleteDocument(
    @Payload() { kwargs }: WampContractPayload<typeof DeleteDocumentContract>,
  ): Promise<DeleteResult> {
    const deleted = await this.docs.delete(kwargs.document_id);
    if (!deleted) throw new WampException(DocsUri.DELETE_FAILED, [], { status: 'FAILURE' });
    return { status: 'SUCCESS' };
  }
}
