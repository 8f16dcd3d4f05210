/** Entry point of the Exchange layer: pick the protocol from a config object. */
import { GraphExchangeClient, type GraphClientConfig } from './graph/client';
import type { ExchangeClient } from './types';

export type ExchangeClientConfig = GraphClientConfig;

export function createExchangeClient(config: ExchangeClientConfig): ExchangeClient {
	switch (config.protocol) {
		case 'graph':
			return new GraphExchangeClient(config);
		default:
			throw new Error(`Unknown Exchange protocol "${(config as { protocol?: string }).protocol}"`);
	}
}

export * from './types';
export * from './ident';
export { windowsToIana, ianaToWindows } from './timezones';
export { GraphExchangeClient, type GraphClientConfig, type GraphSubscription } from './graph/client';
export { StaticTokenProvider, ClientCredentialsTokenProvider, RefreshTokenProvider, type TokenProvider } from './graph/token';
export { HttpTransport } from './graph/http';
