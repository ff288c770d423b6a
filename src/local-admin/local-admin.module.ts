import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { GalleryModule } from '../gallery/gallery.module.js';
import { LocalAdminServer } from './local-admin.server.js';

/** The CLI's way into a running server on the embedded database (see `LocalAdminServer`). */
@Module({ imports: [ApiKeysModule, GalleryModule], providers: [LocalAdminServer] })
export class LocalAdminModule {}
