import type { IExecuteFunctions } from 'n8n-workflow';

import type { ExchangeClient } from '../../../../lib/exchange';
import { locatorValue } from '../../helpers/params';

const WELL_KNOWN = new Set(['inbox', 'sentitems', 'deleteditems', 'drafts', 'archive', 'junkemail', 'msgfolderroot']);

/** Mail folder parameter → folder id; a well-known name (F7) is resolved through Exchange. */
export async function mailFolderParam(ctx: IExecuteFunctions, name: string, i: number, client: ExchangeClient): Promise<string> {
	const value = locatorValue(ctx.getNodeParameter(name, i, '', { extractValue: true }));
	if (WELL_KNOWN.has(value.toLowerCase())) return (await client.getWellKnownFolder(value.toLowerCase())).id;
	return value;
}
