/** What the vtiger role modules share: the config, the webservice client, the describe cache and the reads built on them. */
import type { VtigerCrmConfig } from '../config';
import type { CrmModule } from '../types';
import { CrmError } from '../types';
import { VtigerApiError, VtigerClient } from './client';
import { mapError } from './errors';
import type { VtValues } from './values';

const PAGE = 100;

export interface Describe {
	fields: Array<{ name: string; mandatory: boolean; type: { name: string; picklistValues?: Array<{ value: string }>; defaultValue?: string } }>;
	createable: boolean;
	updateable: boolean;
	deleteable: boolean;
	retrieveable: boolean;
}

/** One per VtigerCrmBackend. */
export class VtigerContext {
	readonly client: VtigerClient;
	readonly warn: (message: string) => void;
	private readonly describes = new Map<string, Promise<Describe>>();

	constructor(
		readonly config: VtigerCrmConfig,
		options: { warn?: (message: string) => void } = {},
	) {
		this.client = new VtigerClient(config);
		this.warn = options.warn ?? ((message) => process.emitWarning(message, 'VtigerCrmBackend'));
	}

	vtModule(module: CrmModule): string {
		switch (module) {
			case 'accounts':
				return 'Accounts';
			case 'contacts':
				return 'Contacts';
			case 'leads':
				return 'Leads';
			case 'events':
				return 'Events';
			case 'tasks':
				return 'Calendar';
			case 'emails':
				return 'Emails';
			case 'conflicts':
				return 'ModComments';
			case 'partners':
				if (this.config.partnerModule) return this.config.partnerModule;
				throw new CrmError(
					'unavailable',
					'This vtiger CRM has no module for Partners',
					'Name the vtiger module that plays the role of Partners (e.g. Vendors) in the CRM credential.',
				);
		}
		throw new CrmError('invalid', `"${String(module)}" is not a CRM module`, 'Use accounts, contacts, leads, partners, events, tasks, emails or conflicts.');
	}

	describe(vtModule: string): Promise<Describe> {
		let d = this.describes.get(vtModule);
		if (!d) {
			d = this.client.get('describe', { elementType: vtModule }) as Promise<Describe>;
			this.describes.set(vtModule, d);
			d.catch(() => this.describes.delete(vtModule));
		}
		return d;
	}

	async queryAll(vtql: string, limit?: number, offset = 0): Promise<VtValues[]> {
		const out: VtValues[] = [];
		const max = limit ?? Infinity;
		for (let o = offset; out.length < max; o += PAGE) {
			const n = Math.min(PAGE, max - out.length);
			const rows = await this.client.query(`${vtql} LIMIT ${o}, ${n};`).catch((e: unknown) => {
				throw mapError(e);
			});
			out.push(...rows);
			if (rows.length < n) break;
		}
		return out;
	}

	/** retrieve; undefined when vtiger says the record is gone (ACCESS_DENIED / wrong id). */
	async retrieve(module: CrmModule, id: string): Promise<VtValues | undefined> {
		const vtModule = this.vtModule(module);
		try {
			const values = (await this.client.get('retrieve', { id })) as VtValues;
			const describe = await this.describe(vtModule);
			const prefix = String((describe as unknown as { idPrefix?: string }).idPrefix ?? '');
			if (prefix && !String(values.id).startsWith(`${prefix}x`)) return undefined;
			return values;
		} catch (error) {
			if (error instanceof VtigerApiError && (error.code === 'ACCESS_DENIED' || error.code === 'INVALID_ID_ATTRIBUTE')) return undefined;
			throw mapError(error, module, id);
		}
	}
}
