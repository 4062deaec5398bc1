import { SetMetadata } from '@nestjs/common';

/** Metadata key read by {@link RolesGuard}. */
export const ROLES_KEY = 'sample-app:roles';

/**
 * Restricts a procedure (or every procedure of a controller) to sessions whose `authrole` is one of
 * `roles`. Needs `@UseGuards(RolesGuard)` (or the guard registered globally).
 *
 * @example
 * @MessagePattern('admin.resetDocuments')
 * @UseGuards(RolesGuard)
 * @Roles('admin')
 * reset() { ... }
 */
export const Roles = (...roles: string[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);
