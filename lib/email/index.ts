export * from './types';
export { EmailImporter, type EmailImporterDeps, type ImportMessagesOptions, type MailboxAccess } from './importer';
export { collectParticipants, filterParticipants, parseAddressList, type Participant } from './addresses';
export { encryptionReason } from './encryption';
export { htmlToPlainText, plainTextBody } from './body';
export { leadNames } from './lead';
export { modulesToSearch, moveBackTarget, isSyncFolder, ROOT_SEARCH_ORDER } from './folders';
export { parseEmail, MalformedEmailError, type ParsedEmail } from './mime';
