import { failedResponse, Retcode } from '../protocol/answer';
import type { Json } from '../protocol/codecs/common';
import type { ProtocolError } from '../protocol/errors';

/**
 * The frame that answers a frame the server refuses: shaped like a failed API response (1400) and
 * never carrying `post_type`, so no bot mistakes it for an event. `error.code` is the error's code,
 * `error.path` the JSON path of an invalid field, `error.limit` the option a frame went over;
 * `echo` is copied from a malformed request when it could be read.
 * @internal
 */
export const errorFrame = (error: ProtocolError): string => {
  const echo = error.data.echo as Json | undefined;
  const path = typeof error.data.path === 'string' ? { path: error.data.path } : {};
  const limit = typeof error.data.limit === 'string' ? { limit: error.data.limit } : {};
  return JSON.stringify({ ...failedResponse(Retcode.BadRequest, error.message, echo), error: { code: error.code, ...path, ...limit } });
};
