/** Entry point the sandbox app loads (sandbox/app.ts: require('./ews').createEwsFace). */
import type { SandboxStore } from '../store';
import { EwsFace, type EwsFaceOptions } from './face';
import type { BearerTokenChecker } from './types';

export { EwsFace, EWS_PATH, type EwsFaceOptions } from './face';
export { startStandaloneEws, type StandaloneEws } from './standalone';

export function createEwsFace(sandbox: { store: SandboxStore; tokens?: BearerTokenChecker; counters?: EwsFaceOptions['counters'] }): EwsFace {
	return new EwsFace({ store: sandbox.store, tokens: sandbox.tokens, counters: sandbox.counters });
}
