import { Allow } from 'class-validator';
import { applyDecorators, type Type, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiProperty } from '@nestjs/swagger';

/** Documents a multipart body whose only field is the image. */
export class ImageUploadDto {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description: 'JPEG, PNG or WebP (also GIF, TIFF, AVIF); EXIF orientation is applied',
  })
  // The file arrives through Multer, not the body; declared only for the OpenAPI schema.
  @Allow()
  image?: unknown;
}

/**
 * A route that takes one image in the multipart field `image` (plus the text fields of `body`),
 * documented as such in OpenAPI. The file is held in memory under the global Multer limits.
 */
export function ImageUpload(body: Type = ImageUploadDto, ...alsoConsumes: string[]): MethodDecorator {
  return applyDecorators(
    UseInterceptors(FileInterceptor('image')),
    ApiConsumes('multipart/form-data', ...alsoConsumes),
    ApiBody({ type: body }),
  );
}
