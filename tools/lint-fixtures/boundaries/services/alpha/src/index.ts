// Allowed: a service imports a lib.
import { shared } from '@fixture/shared';

export const alpha = shared;
