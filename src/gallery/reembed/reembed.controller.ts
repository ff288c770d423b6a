import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyProtected, RequireScopes } from '../../api-keys/api-key.decorators.js';
import { ApiErrorResponses } from '../../common/decorators/api-error-responses.decorator.js';
import { ReembedJobDto, ReembedStatusDto, StartReembedDto } from '../dto/reembed.dto.js';
import { ReembedService } from './reembed.service.js';

@ApiTags('admin')
@ApiKeyProtected()
@RequireScopes('admin')
@Controller('api/v1/admin/reembed')
export class ReembedController {
  constructor(private readonly reembed: ReembedService) {}

  @Get()
  @ApiOperation({
    summary: 'Progress of moving the gallery to the active model profile',
    description:
      'Which profile serves, how many faces have vectors in the active one, the latest job and its failures.',
  })
  @ApiOkResponse({ type: ReembedStatusDto })
  @ApiErrorResponses(401, 403, 429)
  async status(): Promise<ReembedStatusDto> {
    return ReembedStatusDto.from(await this.reembed.status());
  }

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Re-embed every stored face crop with the active profile, then switch recognition to it',
    description:
      'Runs in the background (resumes after a restart); recognition keeps using the previous profile until ' +
      'the new vectors are complete. 409 when the active profile already serves or a job is running.',
  })
  @ApiAcceptedResponse({ type: ReembedJobDto })
  @ApiErrorResponses(400, 401, 403, 409, 429)
  async start(@Body() body: StartReembedDto): Promise<ReembedJobDto> {
    return ReembedJobDto.from(await this.reembed.start(body.allow_incomplete ?? false));
  }

  @Delete()
  @ApiOperation({ summary: 'Cancel the running job (the vectors computed so far are kept)' })
  @ApiOkResponse({ type: ReembedJobDto })
  @ApiErrorResponses(401, 403, 409, 429)
  async cancel(): Promise<ReembedJobDto> {
    return ReembedJobDto.from(await this.reembed.cancel());
  }
}
