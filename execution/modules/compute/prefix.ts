// The compute module's prefix byte in the state tree's key space.
export const COMPUTE_PREFIX = 0x0a;
