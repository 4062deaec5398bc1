import { Controller, UseGuards } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { z } from 'zod';
import { WampContract } from '../../../lib/index.js';
import { Roles } from '../auth/roles.decorator.js';
import { RolesGuard } from '../auth/roles.guard.js';
import { DocsService } from '../docs/docs.service.js';

/** What `admin.resetDocuments` returns. */
export interface ResetResult {
  readonly status: 'SUCCESS';
  /** How many documents were deleted. */
  readonly deleted: number;
}

/**
 * Procedures for the `admin` role. Anonymous sessions (the only kind until an authenticator is
 * configured for the realm) are refused with `wamp.error.not_authorized`.
 */
@Controller()
@UseGuards(RolesGuard)
@Roles('admin')
export class AdminController {
  constructor(private readonly docs: DocsService) {}

  /**
   * `admin.resetDocuments()` -> `{ status: 'SUCCESS', deleted: n }`: deletes every document, each
   * deletion published on `docs.changes` like `docs.deleteDocument`'s.
   */
  @MessagePattern('admin.resetDocuments')
  @WampContract({
    description: 'Deletes every document (admin role only).',
    result: z.object({ status: z.literal('SUCCESS'), deleted: z.number().int() }),
    errors: { 'wamp.error.not_authorized': 'The session is not an admin.' },
  })
  async resetDocuments(): Promise<ResetResult> {
    return { status: 'SUCCESS', deleted: await this.docs.deleteAll() };
  }
}
