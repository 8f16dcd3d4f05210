/**
 * Issue 12 "A soak of our own", short version (`npm run soak` is the long one): randomized two-sided
 * rounds through the contacts template's nodes, over Graph and over EWS against the sandbox, with ~10 %
 * injected faults and kills between the writes and Commit, Exchange-only and CRM-only data on every
 * contact, and an independent oracle. Every defect metric must be 0.
 */
import { runSoak } from '../../bench/soak/soak';
import type { SoakPolicy, SoakProtocol } from '../../bench/soak/template-run';

jest.setTimeout(300_000);

const ROUNDS = 40;
const cases: Array<[SoakProtocol, SoakPolicy, number]> = [
	['graph', 'lastModifiedWins', 1],
	['graph', 'merge', 2],
	['ews', 'lastModifiedWins', 3],
	['ews', 'merge', 4],
];

it.each(cases)('soak over %s with policy %s (seed %d): no duplicate, lost update, wrong deletion or changed foreign field', async (protocol, policy, seed) => {
	const defects: string[] = [];
	const metrics = await runSoak({ protocol, policy, seed, rounds: ROUNDS, checkEvery: 10, onDefect: (d) => defects.push(d) });
	expect(defects).toEqual([]);
	expect(metrics).toMatchObject({
		soak_rounds: ROUNDS,
		soak_checkpoints: ROUNDS / 10,
		soak_duplicates: 0,
		soak_lost_updates: 0,
		soak_wrong_deletes: 0,
		soak_missed_deletes: 0,
		soak_foreign_fields_changed: 0,
		soak_strangers: 0,
	});
	// The soak must have met what it is about: faults, failed and killed runs.
	expect(metrics.soak_faults_injected).toBeGreaterThan(10);
	expect(metrics.soak_killed_runs + metrics.soak_failed_runs).toBeGreaterThan(0);
});
