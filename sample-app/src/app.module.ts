import { Module } from '@nestjs/common';
import { WampModule } from '../../lib/index.js';

/** The sample application: one realm, anonymous sessions, WAMP at `/ws`. */
@Module({
  imports: [WampModule.forRoot({ realms: ['realm1'], path: '/ws' })],
})
export class AppModule {}
