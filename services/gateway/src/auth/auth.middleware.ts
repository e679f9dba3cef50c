import type { NextFunction, Request, Response } from 'express';

/**
 * The single place where callers of /api/v1 are authenticated and authorised, before any request
 * reaches a service. Today it lets every request through and only strips a client-supplied
 * identity header, so a service can later trust `x-duemap-subject` set here. The authentication
 * issue replaces the body: verify `Authorization: Bearer <token>`, answer 401/403 in the shared
 * error shape, and set the subject and roles.
 */
export function authMiddleware(req: Request, _res: Response, next: NextFunction): void {
  delete req.headers['x-duemap-subject'];
  delete req.headers['x-duemap-roles'];
  next();
}
