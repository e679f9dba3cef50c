// Forbidden: a service imports another service.
import { beta } from '@fixture/beta';

export const leaked = beta;
