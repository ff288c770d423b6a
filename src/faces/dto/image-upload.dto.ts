import { Allow } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';

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
