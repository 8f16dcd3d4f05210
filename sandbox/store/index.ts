export * from './types';
export * from './ids';
export * from './extendedProperties';
export * from './timezones';
export * from './recurrence';
export { Mailbox, type MailboxOwner, type MailboxSnapshot, type WriteOptions, type ExtendedPropertyPatch } from './mailbox';
export { SandboxStore, userObjectId, type SandboxUser, type SandboxStoreOptions } from './store';
