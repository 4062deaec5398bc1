import { Controller, ParseIntPipe, ValidationPipe } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { WampException, WampParam } from '../../../lib/index.js';
import { WampArgsObject } from '../common/wamp-args-object.decorator.js';
import type { DeleteResult, Document } from './document.js';
import { DocsService } from './docs.service.js';
import { DocsUri } from './docs.uris.js';
import { CreateDocumentDto } from './dto/create-document.dto.js';

/**
 * Validates `docs.createDocument`'s input against {@link CreateDocumentDto}:
 * - `validateCustomDecorators`: `@WampArgsObject` is a custom decorator, which ValidationPipe skips otherwise;
 * - `whitelist` + `forbidNonWhitelisted`: an unknown kwarg is an error, not silently stored or dropped;
 * - `transform`: the handler receives a real `CreateDocumentDto` (with the title trimmed);
 * - `stopAtFirstError`: one message per property ("title must be a string", not also its length).
 */
const createDocumentValidation = new ValidationPipe({
  validateCustomDecorators: true,
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  stopAtFirstError: true,
});

/**
 * The documents API (serverwamp's `docs_api` route set) as WAMP procedures. Each handler only binds
 * arguments (decorators and pipes validate them: a bad one answers `wamp.error.invalid_argument` before
 * the handler runs) and maps outcomes to WAMP results and errors; the work is in {@link DocsService}.
 */
@Controller()
export class DocsController {
  constructor(private readonly docs: DocsService) {}

  /**
   * `docs.getDocument(document_id)` -> the document. `document_id` positional or kwarg, an integer (or an
   * integer string). ERROR `docs.error.not_found` when there is no such document.
   */
  @MessagePattern(DocsUri.GET)
  getDocument(@WampParam('document_id', ParseIntPipe) id: number): Document {
    const document = this.docs.find(id);
    if (!document) {
      throw new WampException(DocsUri.NOT_FOUND, [`Document ${id} does not exist.`], { document_id: id });
    }
    return document; // RESULT [document]
  }

  /** `docs.listDocuments()` -> every document, oldest first (RESULT `[[document, ...]]`). */
  @MessagePattern(DocsUri.LIST)
  listDocuments(): Document[] {
    return this.docs.list();
  }

  /**
   * `docs.createDocument(title, body)` -> the new document, also published on `docs.changes`. Positional
   * `[title, body]` or kwargs `{title, body}` (see `@WampArgsObject`): one DTO validates both forms.
   */
  @MessagePattern(DocsUri.CREATE)
  createDocument(
    @WampArgsObject(['title', 'body'], createDocumentValidation) input: CreateDocumentDto,
  ): Promise<Document> {
    return this.docs.create(input);
  }

  /**
   * `docs.deleteDocument(document_id)` -> `{ status: 'SUCCESS' }`, the deletion published on
   * `docs.changes`; ERROR `wamp.error.delete_failed`, args `[]`, kwargs `{ status: 'FAILURE' }` when
   * there was nothing to delete (serverwamp's example, exactly).
   */
  @MessagePattern(DocsUri.DELETE)
  async deleteDocument(@WampParam('document_id', ParseIntPipe) id: number): Promise<DeleteResult> {
    const deleted = await this.docs.delete(id);
    if (!deleted) throw new WampException(DocsUri.DELETE_FAILED, [], { status: 'FAILURE' });
    return { status: 'SUCCESS' };
  }
}
