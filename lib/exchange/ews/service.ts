/** Builds an ews-javascript-api ExchangeService from connection settings (A1). */
import { XhrApi } from '@ewsjs/xhr';
import * as https from 'node:https';
import * as tls from 'node:tls';
import {
	ConnectingIdType,
	ExchangeService,
	ExchangeVersion,
	ImpersonatedUserId,
	type IXHRApi,
	OAuthCredentials,
	Uri,
	WebCredentials,
} from 'ews-javascript-api';

import { NodeXhrApi, noteResponse, recordFailure, type TlsOptions, type XhrLikeResponse } from './transport';

export type EwsAuth =
	| { type: 'basic'; username: string; password: string }
	| { type: 'ntlm'; username: string; password: string; domain?: string }
	| { type: 'bearer'; token: string };

export interface EwsConnection {
	/** https://mail.example.com/EWS/Exchange.asmx */
	url: string;
	auth: EwsAuth;
	tls?: TlsOptions;
	/** Mailbox to act on when the account is a service account with ApplicationImpersonation (A1). */
	impersonate?: string;
	timeoutMs?: number;
	/** Replace the HTTP layer (tests replaying recorded responses). */
	xhr?: IXHRApi;
}

/** NTLM needs a connection-bound handshake; @ewsjs/xhr implements it on axios. */
class NtlmXhrApi implements IXHRApi {
	readonly apiName = 'ntlm';
	private readonly inner: XhrApi;
	constructor(
		username: string,
		password: string,
		options: TlsOptions | undefined,
		private readonly timeoutMs = 100_000,
	) {
		const agent = new https.Agent({
			minVersion: 'TLSv1.2',
			ca: options?.ca ? [...tls.rootCertificates, options.ca] : undefined,
			rejectUnauthorized: options?.allowSelfSigned !== true,
		});
		this.inner = new XhrApi({ httpsAgent: agent, rejectUnauthorized: options?.allowSelfSigned !== true }).useNtlmAuthentication(username, password);
	}
	async xhr(...args: Parameters<IXHRApi['xhr']>): ReturnType<IXHRApi['xhr']> {
		let deadline: NodeJS.Timeout | undefined;
		// @ewsjs/xhr (axios) has no deadline of its own for the whole exchange, the NTLM handshake included.
		const timedOut = new Promise<never>((_resolve, reject) => {
			deadline = setTimeout(() => reject(Object.assign(new Error(`no complete answer within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' })), this.timeoutMs);
		});
		try {
			return await Promise.race([this.inner.xhr(...args), timedOut]);
		} catch (e) {
			const r = e as Partial<XhrLikeResponse> & { code?: string; message?: string };
			if (typeof r.status === 'number' && r.status > 0) noteResponse(r as XhrLikeResponse);
			else recordFailure({ kind: /CERT|SSL|TLS/i.test(String(r.code ?? r.message)) ? 'tls' : 'network', code: r.code, message: String(r.message) });
			throw e;
		} finally {
			clearTimeout(deadline);
		}
	}
	xhrStream(...args: Parameters<IXHRApi['xhrStream']>): ReturnType<IXHRApi['xhrStream']> {
		return this.inner.xhrStream(...args);
	}
	disconnect(): void {
		this.inner.disconnect();
	}
}

export function createExchangeService(conn: EwsConnection): ExchangeService {
	const service = new ExchangeService(ExchangeVersion.Exchange2013_SP1);
	service.Url = new Uri(conn.url);
	const auth = conn.auth;
	if (auth.type === 'bearer') service.Credentials = new OAuthCredentials(auth.token);
	else if (auth.type === 'basic') service.Credentials = new WebCredentials(auth.username, auth.password);
	else service.Credentials = new WebCredentials(auth.domain ? `${auth.domain}\\${auth.username}` : auth.username, auth.password);
	if (conn.xhr) service.XHRApi = conn.xhr;
	else if (auth.type === 'ntlm')
		service.XHRApi = new NtlmXhrApi(auth.domain ? `${auth.domain}\\${auth.username}` : auth.username, auth.password, conn.tls, conn.timeoutMs);
	else
		service.XHRApi = new NodeXhrApi({
			tls: conn.tls,
			timeoutMs: conn.timeoutMs,
			headers: conn.impersonate ? { 'X-AnchorMailbox': conn.impersonate } : undefined,
		});
	if (conn.impersonate) service.ImpersonatedUserId = new ImpersonatedUserId(ConnectingIdType.SmtpAddress, conn.impersonate);
	return service;
}
