import { Module } from '@nestjs/common';
import { GalleryModule } from '../gallery/gallery.module.js';
import { FacesController } from './faces.controller.js';
import { FacesService } from './faces.service.js';

@Module({ imports: [GalleryModule], controllers: [FacesController], providers: [FacesService] })
export class FacesModule {}
