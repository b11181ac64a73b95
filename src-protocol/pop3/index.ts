/** The POP3 client's public face: connect, then use the Pop3Client it returns. */
export { connectPop3 } from './pop3-connect.ts';
export { Pop3Client, type Pop3SessionInfo } from './pop3-client.ts';
export type { Pop3Settings, Pop3Timeouts } from './pop3-settings.ts';
export type { Pop3AuthMechanism } from './pop3-auth.ts';
export type { Pop3Capabilities } from './pop3-capabilities.ts';
export type { Pop3Stat, Pop3ScanListing, Pop3UidListing } from './pop3-listings.ts';
export { Pop3ServerError } from './pop3-errors.ts';
