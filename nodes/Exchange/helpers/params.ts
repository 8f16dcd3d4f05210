import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ExchangeItem } from '../../../lib/exchange';
import type { Component } from '../../../lib/model/types';
import { folderParameterName } from '../descriptions/common';

/** A resource locator's value, whether n8n extracted it or not. */
export function locatorValue(raw: unknown): string {
	if (raw && typeof raw === 'object' && 'value' in raw) return String((raw as { value: unknown }).value ?? '').trim();
	return String(raw ?? '').trim();
}

export function folderIdParam(ctx: IExecuteFunctions, component: Component, i: number): string {
	const value = locatorValue(ctx.getNodeParameter(folderParameterName(component), i, '', { extractValue: true }));
	if (!value) throw new NodeOperationError(ctx.getNode(), 'No folder selected', { itemIndex: i, description: 'Choose the folder in the node.' });
	return value;
}

export function recordParam<T>(ctx: IExecuteFunctions, i: number): T {
	const raw = ctx.getNodeParameter('record', i, '{}') as unknown;
	if (typeof raw === 'object' && raw !== null) return raw as T;
	try {
		const parsed = JSON.parse(String(raw)) as unknown;
		if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
		return parsed as T;
	} catch {
		throw new NodeOperationError(ctx.getNode(), 'The record is not a JSON object', {
			itemIndex: i,
			description: 'Enter the record as a JSON object, e.g. {"lastName": "Schmidt"}.',
		});
	}
}

export function optionalString(ctx: IExecuteFunctions, name: string, i: number): string | undefined {
	const v = String(ctx.getNodeParameter(name, i, '') ?? '').trim();
	return v === '' ? undefined : v;
}

/** Canonical output by default; the Graph object with "Raw Graph Output". */
export function itemJson(item: ExchangeItem, raw: boolean): IDataObject {
	if (raw) return (item.raw ?? {}) as IDataObject;
	const { raw: _raw, ...rest } = item;
	return rest as unknown as IDataObject;
}
