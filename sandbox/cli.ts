/**
 * npm run sandbox -- --port <p> [--seed default|empty|demo] [--persist <file>] [--latency <ms>]
 * Prints "sandbox listening on http://127.0.0.1:<p>" once it accepts connections.
 */
import { startSandbox, CLIENT_ID, CLIENT_SECRET, TENANT } from './app';
import { DEFAULT_PASSWORD, DEFAULT_USERS } from './seed/seeds';

function argument(name: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
	const sandbox = await startSandbox({
		port: Number(argument('port') ?? 8765),
		seed: argument('seed') ?? 'default',
		persistPath: argument('persist'),
		config: { latencyMs: Number(argument('latency') ?? 0), requireHttpsNotificationUrl: argument('allow-http-webhooks') === undefined },
	});
	process.stdout.write(`sandbox listening on ${sandbox.httpUrl}\n`);
	process.stdout.write(`  Graph:   ${sandbox.httpsUrl}/v1.0 (self-signed; CA at ${sandbox.httpUrl}/_sandbox/ca.pem)\n`);
	process.stdout.write(`  Token:   ${sandbox.httpsUrl}/${TENANT}/oauth2/v2.0/token  client ${CLIENT_ID} / ${CLIENT_SECRET}\n`);
	process.stdout.write(`  EWS:     ${sandbox.httpUrl}/EWS/Exchange.asmx\n`);
	process.stdout.write(`  Users:   ${DEFAULT_USERS.map((u) => u.address).join(', ')}  password ${DEFAULT_PASSWORD}\n`);
	const stop = (): void => {
		void sandbox.stop().then(() => process.exit(0));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
	process.stderr.write(`sandbox failed to start: ${(e as Error).message}\n`);
	process.exit(1);
});
