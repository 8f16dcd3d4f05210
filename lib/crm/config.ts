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
}

/** Key under which a process caches one open backend per CRM. */
export function connectionKey(config: CrmConnectionConfig): string {
	return config.kind === 'embedded'
		? `embedded:${config.databasePath}`
		: `vtiger:${config.url}|${config.userName}|${config.partnerModule ?? ''}`;
}
