import { Module } from '@nestjs/common';
import { EmbeddingModule } from '../embedding/embedding.module.js';
import { FacesController } from './faces.controller.js';
import { FacesService } from './faces.service.js';

@Module({ imports: [EmbeddingModule], controllers: [FacesController], providers: [FacesService] })
export class FacesModule {}
