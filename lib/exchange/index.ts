/** Entry point of the Exchange layer: pick the protocol from a config object. */
import { EwsExchangeClient, type EwsClientOptions } from './ews/client';
import { GraphExchangeClient, type GraphClientConfig } from './graph/client';
import type { ExchangeClient } from './types';
import { DEFAULT_REMINDER_MINUTES } from '../model/reminder';

export interface EwsClientConfig extends EwsClientOptions {
	protocol: 'ews';
}

export type ExchangeClientConfig = GraphClientConfig | EwsClientConfig;

/** A client whose connections can be released once a node run is done. */
export type ClosableExchangeClient = ExchangeClient & { close(): void };

/** The EWS client with the Graph client's `close()`: frees the keep-alive sockets of its service. */
class ClosableEwsClient extends EwsExchangeClient {
	close(): void {
		this.service.XHRApi.disconnect();
	}
}

export function createExchangeClient(config: ExchangeClientConfig): ClosableExchangeClient {
	switch (config.protocol) {
		case 'graph':
			return new GraphExchangeClient(config);
		case 'ews': {
			const { protocol: _protocol, ...options } = config;
			// S19 on EWS as on Graph: created appointments without a reminder get the default one.
			return new ClosableEwsClient({ ...options, defaultReminderMinutes: options.defaultReminderMinutes ?? DEFAULT_REMINDER_MINUTES });
		}
		default:
			throw new Error(`Unknown Exchange protocol "${(config as { protocol?: string }).protocol}"`);
	}
}

export * from './types';
export * from './ident';
export { windowsToIana, ianaToWindows } from './timezones';
export { GraphExchangeClient, type GraphClientConfig, type GraphSubscription } from './graph/client';
export { StaticTokenProvider, ClientCredentialsTokenProvider, FallbackTokenProvider, RefreshTokenProvider, type TokenProvider } from './graph/token';
export { HttpTransport } from './graph/http';
export { EwsExchangeClient, type EwsClientOptions } from './ews/client';
export { ewsOptionsFromCredential, testEwsConnection, type EwsCredentialData, type ConnectionTestResult } from './ews/connection';
export { exchangeWriteFailure } from './write-failure';
