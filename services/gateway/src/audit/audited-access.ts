import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Identity } from '@duemap/auth';
import { isDenial, type Admission, type Denial, type GatewayAccess } from '../access/gateway-access';
import type { AuditRecorder } from './audit-recorder';

/**
 * The last step of admission: once a call is answered, its audit entry is queued. Wraps the
 * whole admission, so refusals of every earlier step (rate limits, authentication, the matrix)
 * are seen too.
 */
export function withAuditTrail(inner: GatewayAccess, recorder: AuditRecorder): GatewayAccess {
  const refused = new WeakMap<IncomingMessage, Identity>();
  return {
    async admit(req: IncomingMessage): Promise<Denial | Admission> {
      const result = await inner.admit(req);
      if (isDenial(result)) {
        if (result.identity) refused.set(req, result.identity);
      }
      return result;
    },
    finished(req: IncomingMessage, res: ServerResponse, admission: Admission | undefined): void {
      inner.finished(req, res, admission);
      recorder.record(req, res, admission?.identity ?? refused.get(req), admission?.operation);
    },
    close: inner.close ? () => inner.close?.() ?? Promise.resolve() : undefined,
  };
}
