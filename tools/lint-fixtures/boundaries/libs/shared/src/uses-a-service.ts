// Forbidden: a lib imports a service.
import { alpha } from '@fixture/alpha';

export const upside = alpha;
