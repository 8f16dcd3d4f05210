import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { SyncWindow } from '../../../../lib/exchange';
import type { Component } from '../../../../lib/model/types';

export const windowParameters: INodeProperties[] = [
	{
		displayName: 'Past Days',
		name: 'pastDays',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 30,
		description: 'Appointments that ended more than this many days ago are left out (A2)',
		displayOptions: { show: { resource: ['event'] } },
	},
	{
		displayName: 'Future Days',
		name: 'futureDays',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 365,
		description: 'Appointments starting later than this many days from now are left out',
		displayOptions: { show: { resource: ['event'] } },
	},
];

export function syncWindow(pastDays: number, futureDays: number, now = Date.now()): SyncWindow {
	// Whole days, so that every run of a day asks Graph for the same window.
	const day = 86_400_000;
	const today = Math.floor(now / day) * day;
	return { from: new Date(today - pastDays * day).toISOString(), to: new Date(today + (futureDays + 1) * day).toISOString() };
}

export function windowParam(ctx: IExecuteFunctions, component: Component, i: number): SyncWindow | undefined {
	if (component !== 'event') return undefined;
	return syncWindow(ctx.getNodeParameter('pastDays', i, 30) as number, ctx.getNodeParameter('futureDays', i, 365) as number);
}
