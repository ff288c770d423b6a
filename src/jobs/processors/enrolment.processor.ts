import { Injectable } from '@nestjs/common';
import type { AddUserDto } from '../../enrollment/dto/add-user.dto.js';
import { EnrollmentService } from '../../enrollment/enrollment.service.js';
import { JobItemProcessor, type ItemContext } from './job-processor.js';

/** Batch enrolment: each photo enrols its person exactly as `POST /api/v1/add_user` with an image. */
@Injectable()
export class EnrolmentProcessor extends JobItemProcessor {
  readonly kind = 'enrolment';

  constructor(private readonly enrollment: EnrollmentService) {
    super();
  }

  async process(context: ItemContext): Promise<unknown> {
    const person = context.item.input as unknown as AddUserDto;
    const image = await context.readInput();
    let result: unknown;
    await this.enrollment.addUser(person, image, async (tx, created) => {
      result = {
        status: 'success',
        user_id: created.userId,
        face_id: created.faceId,
        metadata: created.metadata,
      };
      await context.completeIn(tx, result);
    });
    return result;
  }
}
