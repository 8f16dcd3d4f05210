/**
 * `npm run bench [-- <module> ...]`: runs the benchmark modules in sequence and prints one
 * `metric: value unit` line per figure, under a `== <module> ==` header. A module that fails prints
 * `<module>_error: <message>` and the runner goes on; the exit code is non-zero only when every module
 * that ran failed (or an unknown module was named). Metric meanings: bench/README.md.
 */
export interface BenchResult {
	metric: string;
	value: number;
	unit: string;
}

type BenchModule = () => Promise<BenchResult[]>;

// Loaded lazily, so that `npm run bench -- engine` does not load the sandbox, and a module that fails to
// load is reported like one that fails to run.
const MODULES: Record<string, () => Promise<BenchModule>> = {
	engine: async () => (await import('./engine')).benchEngine,
	crm: async () => {
		const { benchCrm } = await import('./crm');
		return () => benchCrm();
	},
	graph: async () => (await import('./graph')).benchGraph,
	ews: async () => (await import('./ews')).benchEws,
	email: async () => (await import('./email')).benchEmail,
	// A real n8n running the templates (installs n8n 2.40.7 into ~/.cache on first use).
	n8n: async () => (await import('./n8n')).benchN8n,
	// Push latency both ways with the contacts template activated in a real `n8n start` (issue 14).
	latency: async () => (await import('./latency')).benchLatency,
	// The contacts sync for M mailboxes on n8n's queue mode with 1 and 4 workers (issue 15); options:
	// --mailboxes=N --workers=1,4 --contacts=N.
	scale: async () => (await import('./scale')).benchScale,
};

/** Modules a plain `npm run bench` leaves out: they take long (name them to run them). */
const ON_REQUEST = new Set(['scale']);

/** Integers from 100 up, one decimal from 10, else up to three significant digits. */
export function formatValue(value: number): string {
	if (!Number.isFinite(value)) return String(value);
	const abs = Math.abs(value);
	if (abs >= 100 || Number.isInteger(value)) return String(Math.round(value));
	if (abs >= 10) return value.toFixed(1);
	return String(Number(value.toPrecision(3)));
}

function errorMessage(e: unknown): string {
	const message = e instanceof Error ? e.message : String(e);
	return message.replace(/\s+/g, ' ').trim();
}

async function main(argv: string[]): Promise<number> {
	// `--name=value` arguments are options of the modules (they read them from process.argv).
	const args = argv.filter((a) => !a.startsWith('--'));
	const unknown = args.filter((name) => !(name in MODULES));
	if (unknown.length) {
		console.error(`unknown bench module(s): ${unknown.join(', ')}; known: ${Object.keys(MODULES).join(', ')}`);
		return 2;
	}
	const selected = args.length ? Object.keys(MODULES).filter((name) => args.includes(name)) : Object.keys(MODULES).filter((name) => !ON_REQUEST.has(name));
	const gc = (globalThis as { gc?: () => void }).gc;
	let failed = 0;
	for (const name of selected) {
		console.log(`== ${name} ==`);
		const started = performance.now();
		try {
			const run = await MODULES[name]();
			for (const r of await run()) console.log(`${r.metric}: ${formatValue(r.value)} ${r.unit}`);
		} catch (e) {
			failed++;
			console.log(`${name}_error: ${errorMessage(e)}`);
		}
		console.log(`${name}_runtime_s: ${formatValue((performance.now() - started) / 1000)} s`);
		gc?.();
	}
	return failed === selected.length ? 1 : 0;
}

if (require.main === module) {
	main(process.argv.slice(2)).then(
		// Exit explicitly: HTTP keep-alive sockets of the clients must not keep the process alive.
		(code) => process.exit(code),
		(e: unknown) => {
			console.error(e);
			process.exit(1);
		},
	);
}
