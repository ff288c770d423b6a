import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** `page` and `limit` of every list route, validated alike. */
export class PaginationQueryDto {
  @ApiPropertyOptional({ type: 'integer', example: 1, default: 1, minimum: 1, maximum: 100_000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  page?: number;

  @ApiPropertyOptional({
    type: 'integer',
    example: DEFAULT_PAGE_SIZE,
    default: DEFAULT_PAGE_SIZE,
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;
}

/**
 * The envelope every list response shares: `{ items, page, limit, total }`. Subclasses declare
 * `items` with their own type (OpenAPI has no generics).
 */
export abstract class PageDto {
  @ApiProperty({ type: 'integer', description: 'The page returned, from 1', example: 1 })
  page!: number;

  @ApiProperty({ type: 'integer', description: 'Items per page', example: DEFAULT_PAGE_SIZE })
  limit!: number;

  @ApiProperty({ type: 'integer', description: 'Items matching the request, on all pages', example: 42 })
  total!: number;
}

/** The page and limit a query asks for, with the defaults applied, and the rows to skip. */
export function pageOf(query: PaginationQueryDto): { page: number; limit: number; skip: number } {
  const page = query.page ?? 1;
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  return { page, limit, skip: (page - 1) * limit };
}
