import { ApiProperty } from '@nestjs/swagger';

export class StatsDto {
  @ApiProperty({ description: 'Enrolled users', example: 1200 })
  users!: number;

  @ApiProperty({ description: 'Enrolled faces (a user may have several)', example: 1350 })
  faces!: number;

  @ApiProperty({ description: 'Unmatched faces still claimable by req_id', example: 37 })
  cached_faces!: number;

  @ApiProperty({
    description: 'recognise_user and identify calls answered since the database was created',
    example: 98231,
  })
  recognitions!: number;

  @ApiProperty({ description: 'The embedding model in use', example: 'face-api-resnet-128' })
  model!: string;

  @ApiProperty({ description: 'Length of the vectors', example: 128 })
  dimension!: number;

  @ApiProperty({
    type: [Number],
    nullable: true,
    description: 'Component-wise mean of the enrolled vectors of this model (null when none)',
    example: [0.012, -0.087, 0.044],
  })
  mean_embedding!: number[] | null;
}
