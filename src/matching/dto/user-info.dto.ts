import { ApiProperty } from '@nestjs/swagger';

export class UserInfoDto {
  @ApiProperty({ description: 'User id', example: '0b8f6a2e-4c1d-4f7a-9a3e-2d5b6c7e8f90' })
  id!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name!: string;

  @ApiProperty({ nullable: true, type: String, example: 'ada@example.com' })
  email!: string | null;

  @ApiProperty({ description: 'YYYY-MM-DD', example: '1990-12-10' })
  birthdate!: string;

  static from(user: { id: string; name: string; email: string | null; birthdate: Date }): UserInfoDto {
    return {
      id: user.id,
      name: user.name,
      email: user.email,
      birthdate: user.birthdate.toISOString().slice(0, 10),
    };
  }
}
