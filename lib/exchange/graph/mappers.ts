/**
 * Microsoft Graph JSON ⇄ canonical records (lib/model). Pure functions.
 * Conventions: Graph times are read with `Prefer: outlook.timezone="UTC"` but any zone is
 * honoured; writes send wall-clock time plus a Windows zone name so Outlook shows the
 * appointment in the zone the user entered it in (S23).
 */
export * from './graph-values';
export * from './contact-mapper';
export * from './event-mapper';
export * from './task-mapper';
