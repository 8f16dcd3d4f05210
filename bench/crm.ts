/**
 * Embedded CRM numbers (issue 5): inserts/s, change-feed reads/s and lookups/s for N records,
 * and database bytes per record. Run through the bench runner (`npm run bench`).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { EmbeddedCrmBackend } from '../lib/crm';

export interface BenchResult {
	metric: string;
	value: number;
	unit: string;
}

function contactFields(i: number): Record<string, unknown> {
	return {
		firstname: `First${i}`,
		lastname: `Last${i}`,
		title: 'Sales Manager',
		department: 'Sales',
		email: `person${i}@company${i % 997}.example`,
		phone: `+49 89 ${1000000 + i}`,
		mobile: `+49 170 ${2000000 + i}`,
		mailingstreet: `Hauptstraße ${i % 200}`,
		mailingcity: 'München',
		mailingzip: String(80000 + (i % 999)),
		mailingcountry: 'Germany',
		description: 'Met at the trade fair; interested in the premium plan.',
	};
}

export async function benchCrm(records = 100_000): Promise<BenchResult[]> {
	const dir = mkdtempSync(join(tmpdir(), 'crm-bench-'));
	const path = join(dir, 'bench.sqlite');
	const crm = EmbeddedCrmBackend.open(path);
	try {
		crm.saveUser({ id: 'anna', userName: 'anna', active: true });
		const assignedTo = { type: 'user' as const, id: 'anna' };

		let start = performance.now();
		for (let i = 0; i < records; i++) {
			await crm.create('contacts', { assignedTo, tags: i % 10 === 0 ? ['vip'] : [], fields: contactFields(i) });
		}
		const insertSeconds = (performance.now() - start) / 1000;

		start = performance.now();
		let read = 0;
		let cursor: string | undefined;
		for (;;) {
			const page = await crm.listChanges('contacts', cursor, { limit: 1000 });
			read += page.changed.length;
			cursor = page.cursor;
			if (!page.hasMore) break;
		}
		const feedSeconds = (performance.now() - start) / 1000;
		if (read !== records) throw new Error(`change feed returned ${read} of ${records} records`);

		const lookups = Math.min(records, 10_000);
		start = performance.now();
		for (let i = 0; i < lookups; i++) {
			const found = await crm.findByEmail(`PERSON${(i * 7919) % records}@company${((i * 7919) % records) % 997}.example`, ['contacts']);
			if (found.length !== 1) throw new Error('findByEmail missed a record');
		}
		const lookupSeconds = (performance.now() - start) / 1000;

		await crm.close();
		// Fold the WAL into the main file so the size is the database's real size.
		const { DatabaseSync } = await import('node:sqlite');
		const db = new DatabaseSync(path);
		db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
		db.close();
		const bytes = statSync(path).size;

		return [
			{ metric: 'crm_insert_per_s', value: Math.round(records / insertSeconds), unit: 'records/s' },
			{ metric: 'crm_change_feed_read_per_s', value: Math.round(records / feedSeconds), unit: 'records/s' },
			{ metric: 'crm_find_by_email_per_s', value: Math.round(lookups / lookupSeconds), unit: 'lookups/s' },
			{ metric: 'crm_db_bytes_per_record', value: Math.round(bytes / records), unit: 'bytes/record' },
		];
	} finally {
		await crm.close();
		rmSync(dir, { recursive: true, force: true });
	}
}
