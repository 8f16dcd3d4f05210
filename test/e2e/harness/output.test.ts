import { logProblems, nodeOutput, parseExecutionOutput } from './output';

const run = {
	data: {
		resultData: {
			runData: {
				Map: [{ executionStatus: 'success', data: { main: [[{ json: { a: 1 } }], [{ json: { reason: 'bad' } }]] } }],
			},
		},
	},
};
const pretty = JSON.stringify(run, null, 2);

describe('n8n execute output parsing', () => {
	it('finds the run in JSON log lines among other log lines', () => {
		const stdout = [
			JSON.stringify({ level: 'info', message: 'Registered runner "JS Task Runner"' }),
			'a line that is not JSON',
			JSON.stringify({ level: 'info', message: pretty }),
			JSON.stringify({ level: 'info', message: 'done' }),
		].join('\n');
		expect(parseExecutionOutput(stdout)).toEqual(run);
	});

	it('finds the run in plain text output with colour codes and trailing lines', () => {
		const stdout = `Starting migration X\n\u001b[32m${pretty}\u001b[39m\nsome warning {\n}\n`;
		expect(parseExecutionOutput(stdout)).toEqual(run);
	});

	it('says so when there is no run', () => {
		expect(() => parseExecutionOutput('{\n"x": 1\n}\n')).toThrow(/No execution result/);
	});

	it('reads one output of a node and reports nodes that did not run', () => {
		expect(nodeOutput(run, 'Map')).toEqual([{ a: 1 }]);
		expect(nodeOutput(run, 'Map', 1)).toEqual([{ reason: 'bad' }]);
		expect(() => nodeOutput(run, 'Other')).toThrow(/did not run.*Map/);
	});

	it('lists the first line of each warning and error', () => {
		const stdout = [
			JSON.stringify({ level: 'info', message: 'fine' }),
			JSON.stringify({ level: 'error', message: 'Failed to load package "x"\nstack...' }),
			JSON.stringify({ level: 'error', message: 'Failed to load package "x"\nstack...' }),
			'plain text',
		].join('\n');
		expect(logProblems(stdout)).toEqual(['Failed to load package "x"', 'plain text']);
	});
});
