/**
 * Replays recorded EWS HTTP answers to the EWS client, through the same response handling
 * (noteResponse → ews-javascript-api parsing → mappers) that live answers take.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import type { IXHRApi, IXHROptions } from 'ews-javascript-api';

import { noteResponse, xhrResponse } from '../../lib/exchange/ews/transport';

export const EWS_FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/ews');

export interface RecordedReply {
	/** path below fixtures/ews, or a literal body */
	file?: string;
	body?: string;
	status?: number;
	contentType?: string;
}

export class ReplayXhrApi implements IXHRApi {
	readonly apiName = 'replay';
	readonly requests: string[] = [];
	constructor(private readonly replies: RecordedReply[]) {}

	async xhr(options: IXHROptions): ReturnType<IXHRApi['xhr']> {
		this.requests.push(String(options.data ?? ''));
		const reply = this.replies.shift();
		if (!reply) throw new Error(`no recorded reply left for request ${this.requests.length}`);
		const body = reply.file ? readFileSync(path.join(EWS_FIXTURES, reply.file), 'utf8') : (reply.body ?? '');
		const res = noteResponse(xhrResponse(reply.status ?? 200, body, { 'content-type': reply.contentType ?? 'text/xml; charset=utf-8' }));
		if (res.status !== 200) throw res;
		return res as unknown as Awaited<ReturnType<IXHRApi['xhr']>>;
	}
	xhrStream(options: IXHROptions): ReturnType<IXHRApi['xhrStream']> {
		return this.xhr(options);
	}
	disconnect(): void {}

	/** SOAP operation names of the requests sent, in order. */
	get operations(): string[] {
		return this.requests.map((r) => /<(?:\w+:)?Body>\s*<(?:\w+:)?(\w+)/.exec(r)?.[1] ?? '?');
	}
}
