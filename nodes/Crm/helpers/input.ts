import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { CrmAssignee } from '../../../lib/crm';

/** The record fields entered as name/value pairs or as JSON. */
export function readRecordFields(ctx: IExecuteFunctions, itemIndex: number): Record<string, unknown> {
	const mode = ctx.getNodeParameter('fieldsInputMode', itemIndex, 'fields') as string;
	if (mode === 'json') {
		const raw = ctx.getNodeParameter('fieldsJson', itemIndex, '{}') as unknown;
		const parsed = typeof raw === 'string' ? parseJson(ctx, raw, itemIndex) : raw;
		if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
			throw new NodeOperationError(ctx.getNode(), 'The record fields JSON must be an object', {
				itemIndex,
				description: 'Enter an object of field name → value, e.g. {"lastname": "Müller", "email": "max@example.com"}.',
			});
		}
		return parsed as Record<string, unknown>;
	}
	const collection = ctx.getNodeParameter('recordFields', itemIndex, {}) as {
		field?: Array<{ name?: string; value?: unknown }>;
	};
	const fields: Record<string, unknown> = {};
	for (const { name, value } of collection.field ?? []) {
		if (!name || name.trim() === '') continue;
		fields[name.trim()] = value;
	}
	return fields;
}

function parseJson(ctx: IExecuteFunctions, text: string, itemIndex: number): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		throw new NodeOperationError(ctx.getNode(), 'The record fields are not valid JSON', {
			itemIndex,
			description: 'Check the JSON for missing quotes or commas.',
		});
	}
}

/** "user:anna" / "group:sales" (the load-options values) → an assignee. */
export function parseAssignee(value: unknown): CrmAssignee | undefined {
	if (typeof value !== 'string' || value.trim() === '') return undefined;
	const match = /^(user|group):(.+)$/.exec(value.trim());
	if (match) return { type: match[1] as CrmAssignee['type'], id: match[2] };
	return { type: 'user', id: value.trim() };
}

/** A comma-separated list or an array → trimmed, non-empty strings. */
export function splitList(value: unknown): string[] {
	const parts = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
	return parts.map((p) => p.trim()).filter((p) => p !== '');
}

export function optionString(options: IDataObject, name: string): string | undefined {
	const value = options[name];
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
