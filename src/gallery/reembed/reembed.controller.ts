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
    operationId: 'getReembedStatus',
    summary: 'Progress of moving the gallery to the active model profile',
    description:
      'Which profile serves, how many faces have vectors in the active one, the latest job and its failures.',
  })
  @ApiOkResponse({ type: ReembedStatusDto })
  async status(): Promise<ReembedStatusDto> {
    return ReembedStatusDto.from(await this.reembed.status());
  }

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    operationId: 'startReembed',
    summary: 'Re-embed every stored face crop with the active profile, then switch recognition to it',
    description:
      'Runs in the background (resumes after a restart); recognition keeps using the previous profile until ' +
      'the new vectors are complete. 409 when the active profile already serves or a job is running.',
  })
  @ApiAcceptedResponse({ type: ReembedJobDto })
  @ApiErrorResponses(400, 'reembed_not_needed', 'reembed_running')
  async start(@Body() body: StartReembedDto): Promise<ReembedJobDto> {
    return ReembedJobDto.from(await this.reembed.start(body.allow_incomplete ?? false));
  }

  @Delete()
  @ApiOperation({
    operationId: 'cancelReembed',
    summary: 'Cancel the running job (the vectors computed so far are kept)',
  })
  @ApiOkResponse({ type: ReembedJobDto })
  @ApiErrorResponses('reembed_not_running')
  async cancel(): Promise<ReembedJobDto> {
    return ReembedJobDto.from(await this.reembed.cancel());
  }
}
