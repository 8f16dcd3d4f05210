/**
 * `npm run soak [-- --rounds N --component contact|event|task|all --protocol graph|ews|both --policy lastModifiedWins|merge|both --faults 0.1 --seed S]`:
 * the soak of bench/soak/soak.ts per component, protocol and policy, printed as `metric: value unit`
 * lines: `soak_<component>_*` per block, then the `soak_*` totals over all blocks (defects on stderr;
 * SOAK_TRACE=1 prints every edit, run and planned write). Exit code 1 when any defect metric is not 0.
 */
import type { Component } from '../lib/model/types';
import { runSoak, type SoakMetrics } from './soak/soak';
import type { SoakPolicy, SoakProtocol } from './soak/template-run';

const DEFECTS: Array<keyof SoakMetrics> = [
	'soak_duplicates',
	'soak_lost_updates',
	'soak_wrong_deletes',
	'soak_missed_deletes',
	'soak_foreign_fields_changed',
	'soak_strangers',
];
const COMPONENTS: Component[] = ['contact', 'event', 'task'];

function arg(name: string, fallback: string): string {
	const at = process.argv.indexOf(`--${name}`);
	return at > 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

function unit(metric: string): string {
	return metric.endsWith('_ms') ? 'ms' : 'count';
}

/** Totals over blocks: maxima stay maxima, everything else adds up. */
function addInto(totals: Partial<SoakMetrics>, metrics: SoakMetrics): void {
	for (const [metric, value] of Object.entries(metrics) as Array<[keyof SoakMetrics, number]>) {
		const max = metric === 'soak_settle_runs_max' || metric === 'soak_strangers';
		totals[metric] = max ? Math.max(totals[metric] ?? 0, value) : (totals[metric] ?? 0) + value;
	}
}

async function main(): Promise<void> {
	const rounds = Number(arg('rounds', '500'));
	const seed = Number(arg('seed', '1'));
	const faultRate = Number(arg('faults', '0.1'));
	const which = arg('protocol', 'both');
	const protocols: SoakProtocol[] = which === 'both' ? ['graph', 'ews'] : [which as SoakProtocol];
	const policyArg = arg('policy', 'both');
	const policies: SoakPolicy[] = policyArg === 'both' ? ['lastModifiedWins', 'merge'] : [policyArg as SoakPolicy];
	const componentArg = arg('component', 'all');
	const components: Component[] = componentArg === 'all' ? COMPONENTS : [componentArg as Component];
	if (!components.every((c) => COMPONENTS.includes(c))) throw new Error(`--component is contact, event, task or all, not "${componentArg}"`);
	const totals: Partial<SoakMetrics> = {};
	for (const component of components)
		for (const protocol of protocols)
			for (const policy of policies) {
				console.log(`== soak ${component} ${protocol} ${policy} ==`);
				const metrics = await runSoak({
					component,
					protocol,
					policy,
					rounds,
					seed,
					faultRate,
					onDefect: (m) => console.error(m),
					trace: process.env.SOAK_TRACE ? (line) => console.error(line) : undefined,
				});
				for (const [metric, value] of Object.entries(metrics)) {
					const named = metric.replace(/^soak_/, `soak_${component}_`);
					console.log(`${named}: ${value} ${unit(metric)}`);
				}
				addInto(totals, metrics);
			}
	console.log(`== soak totals (${components.join(', ')} × ${protocols.join(', ')} × ${policies.join(', ')}) ==`);
	for (const [metric, value] of Object.entries(totals)) console.log(`${metric}: ${value} ${unit(metric)}`);
	const defects = DEFECTS.reduce((s, m) => s + (totals[m] ?? 0), 0);
	process.exitCode = defects === 0 ? 0 : 1;
}

void main();
