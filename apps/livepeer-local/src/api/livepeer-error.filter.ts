import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ApiError } from './api-error';

/**
 * Every error of the API process, including Nest's own (404 route, bad JSON body, 413),
 * leaves as `{"errors":[...]}`; exceptions that carry a structured body of their own
 * (terminus health reports) keep it.
 */
@Catch()
export class LivepeerErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('LivepeerApi');

  catch(exception: unknown, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    if (exception instanceof ApiError) {
      res.status(exception.getStatus()).json({ errors: exception.errors });
      return;
    }
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && !('message' in body)) {
        // A body of its own (e.g. /health/ready's terminus report): keep it.
        res.status(exception.getStatus()).json(body);
        return;
      }
      const message = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
      const errors = Array.isArray(message) ? message.map(String) : [String(message)];
      res.status(exception.getStatus()).json({ errors });
      return;
    }
    // Body parser errors carry a status (400 bad JSON, 413 too large).
    const status = (exception as { status?: number })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ errors: [(exception as Error).message] });
      return;
    }
    this.logger.error({ err: exception }, 'unexpected error');
    res.status(HttpStatus.INTERNAL_SERVER_ERROR).json({ errors: ['internal server error'] });
  }
}
