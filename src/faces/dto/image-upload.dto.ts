import { ApiProperty } from '@nestjs/swagger';

/** Documents a multipart body whose only field is the image. */
export class ImageUploadDto {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description: 'JPEG, PNG or WebP (also GIF, TIFF, AVIF); EXIF orientation is applied',
  })
  image?: unknown;
}
