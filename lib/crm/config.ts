import { createHash } from 'node:crypto';

/** How to reach a CRM. Built from the n8n "CRM" credential, or by hand in tests and the demo. */
export type CrmConnectionConfig = EmbeddedCrmConfig | VtigerCrmConfig;

export interface EmbeddedCrmConfig {
	kind: 'embedded';
	/** Path of the SQLite database file; created (with its schema) when missing. */
	databasePath: string;
}

export interface VtigerCrmConfig {
	kind: 'vtiger';
	/** Base URL of the vtiger installation (the folder that holds webservice.php). */
	url: string;
	userName: string;
	accessKey: string;
	/** vtiger module that plays the role of "Partners" (e.g. Vendors), or none. */
	partnerModule?: string;
	/** Accept self-signed / private-CA certificates. Off by default. */
	allowUnauthorizedCerts?: boolean;
	/** Milliseconds one webservice request may take, default 30 000. */
	timeoutMs?: number;
	/** How often a request that got no answer (network error, timeout, HTTP 502/503/504) is tried again, default 2. */
	retries?: number;
}

/**
 * Key under which a process caches one open backend (and its vtiger session) per CRM. Every setting that
 * changes what the connection may do is part of it, so a changed access key, user, URL or certificate
 * setting opens a new connection instead of reusing the old session (Issue 12 §3). The access key enters
 * only as a hash.
 */
export function connectionKey(config: CrmConnectionConfig): string {
	if (config.kind === 'embedded') return `embedded:${config.databasePath}`;
	const key = createHash('sha256').update(config.accessKey).digest('base64url');
	return `vtiger:${JSON.stringify([config.url.trim(), config.userName.trim(), key, config.allowUnauthorizedCerts === true, config.partnerModule ?? ''])}`;
}
