import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock.js';

/** Cross-cutting providers every module may inject. Tests override `Clock` to control time. */
@Global()
@Module({ providers: [{ provide: Clock, useClass: SystemClock }], exports: [Clock] })
export class CommonModule {}
