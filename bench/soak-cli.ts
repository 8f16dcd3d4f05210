/**
 * `npm run soak [-- --rounds N --protocol graph|ews|both --policy lastModifiedWins|merge|both --faults 0.1 --seed S]`: the soak of bench/soak/soak.ts,
 * printed as `metric: value unit` lines per protocol and policy (defects on stderr; SOAK_TRACE=1 prints
 * every edit, run and planned write). Exit code 1 when any defect
 * metric is not 0.
 */
import { runSoak, type SoakMetrics } from './soak/soak';
import type { SoakPolicy, SoakProtocol } from './soak/template-run';

const DEFECTS: Array<keyof SoakMetrics> = ['soak_duplicates', 'soak_lost_updates', 'soak_wrong_deletes', 'soak_missed_deletes', 'soak_foreign_fields_changed', 'soak_strangers'];

function arg(name: string, fallback: string): string {
	const at = process.argv.indexOf(`--${name}`);
	return at > 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

async function main(): Promise<void> {
	const rounds = Number(arg('rounds', '500'));
	const seed = Number(arg('seed', '1'));
	const which = arg('protocol', 'both');
	const faultRate = Number(arg('faults', '0.1'));
	const protocols: SoakProtocol[] = which === 'both' ? ['graph', 'ews'] : [which as SoakProtocol];
	const policyArg = arg('policy', 'both');
	const policies: SoakPolicy[] = policyArg === 'both' ? ['lastModifiedWins', 'merge'] : [policyArg as SoakPolicy];
	let defects = 0;
	for (const protocol of protocols) for (const policy of policies) {
		console.log(`== soak ${protocol} ${policy} ==`);
		const metrics = await runSoak({ protocol, policy, rounds, seed, faultRate, onDefect: (m) => console.error(m), trace: process.env.SOAK_TRACE ? (line) => console.error(line) : undefined });
		for (const [metric, value] of Object.entries(metrics)) console.log(`${metric}: ${value} ${metric === 'soak_ms' ? 'ms' : 'count'}`);
		defects += DEFECTS.reduce((s, m) => s + metrics[m], 0);
	}
	process.exitCode = defects === 0 ? 0 : 1;
}

void main();
