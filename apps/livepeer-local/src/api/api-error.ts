import { HttpException } from '@nestjs/common';

/** An API failure answered the Livepeer way: `{"errors": [...]}` (docs/livepeer-protocol.md §2.1). */
export class ApiError extends HttpException {
  constructor(
    status: number,
    readonly errors: string[],
  ) {
    super({ errors }, status);
  }
}
