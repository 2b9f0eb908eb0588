// Errors inside an open watch stream: one ERROR event carrying the Status.
import { badRequest, expired } from '../apierrors/errors';
import { toApiError } from './respond';

export { badRequest, expired };

export function toStatusLine(err: unknown): string {
  return `{"type":"ERROR","object":${JSON.stringify(toApiError(err).toStatus())}}\n`;
}
