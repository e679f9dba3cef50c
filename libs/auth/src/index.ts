export * from './permissions';
export * from './operations';
export * from './identity';
export * from './territory';
export * from './internal-identity';
export * from './token-verifier';
export * from './nest/service-auth.guard';
export * from './placement-projection';
