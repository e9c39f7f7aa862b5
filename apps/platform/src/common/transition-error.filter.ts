import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import { IllegalTransitionError, StaleTransitionError } from './state-machine';

/**
 * An operator command whose state change the table forbids, or that lost a race with another
 * writer, is a conflict (409) with the state machine's own sentence, not a server error.
 */
@Catch(IllegalTransitionError, StaleTransitionError)
export class TransitionErrorFilter implements ExceptionFilter {
  catch(err: IllegalTransitionError | StaleTransitionError, host: ArgumentsHost): void {
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(HttpStatus.CONFLICT)
      .json({ statusCode: HttpStatus.CONFLICT, error: 'Conflict', message: err.message });
  }
}
