export * from './contract.ts';
export * from './schemas.ts';
export * from './envelope.ts';
export { ERROR_CODES, type ErrorCode } from '../common/error-codes.ts';
export * from './preload-api.ts';
