/** The parts of n8n's IRun (the `n8n execute --rawOutput` JSON) the tests read. */
export interface N8nNodeRun {
	startTime?: number;
	executionTime?: number;
	executionStatus?: string;
	error?: { message?: string; description?: string };
	data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> };
}

export interface N8nRun {
	status?: string;
	finished?: boolean;
	mode?: string;
	data: {
		resultData: {
			runData: Record<string, N8nNodeRun[]>;
			lastNodeExecuted?: string;
			error?: { message?: string; description?: string };
		};
	};
}

function isRun(value: unknown): value is N8nRun {
	const data = (value as N8nRun | null)?.data;
	return typeof data === 'object' && data !== null && typeof data.resultData?.runData === 'object';
}

/** With N8N_LOG_FORMAT=json every log line is an object; `n8n execute` logs the run as one message. */
function runFromJsonLog(stdout: string): N8nRun | undefined {
	const lines = stdout.split('\n');
	for (let i = lines.length - 1; i >= 0; i--) {
		const line = lines[i].trim();
		if (!line.startsWith('{') || !line.endsWith('}')) continue;
		try {
			const entry = JSON.parse(line) as { message?: unknown };
			if (typeof entry.message !== 'string' || !entry.message.trimStart().startsWith('{')) continue;
			const parsed: unknown = JSON.parse(entry.message);
			if (isRun(parsed)) return parsed;
		} catch {
			// a line that is not a log entry
		}
	}
	return undefined;
}

/** The messages of JSON log lines at level warn or error (for failure reports). */
export function logProblems(stdout: string): string[] {
	const problems: string[] = [];
	for (const line of stdout.split('\n')) {
		try {
			const entry = JSON.parse(line) as { level?: string; message?: unknown };
			if ((entry.level === 'error' || entry.level === 'warn') && typeof entry.message === 'string') {
				// first line only: n8n logs whole stack traces as messages
				const first = entry.message.trim().split('\n')[0];
				if (first && problems[problems.length - 1] !== first) problems.push(first);
			}
		} catch {
			if (line.trim() !== '') problems.push(line);
		}
	}
	return problems;
}

/**
 * The execution JSON from `n8n execute` output: a JSON log line (N8N_LOG_FORMAT=json), or plain
 * text. Log lines, warnings or a banner may come before
 * or after it, so every line that opens an object is tried as the start, and the object runs to
 * the matching closing line.
 */
export function parseExecutionOutput(stdout: string): N8nRun {
	const fromJsonLog = runFromJsonLog(stdout);
	if (fromJsonLog) return fromJsonLog;
	// eslint-disable-next-line no-control-regex
	const lines = stdout.replace(/\u001b\[[0-9;]*m/g, '').split('\n');
	for (let start = 0; start < lines.length; start++) {
		if (lines[start].trimEnd() !== '{') continue;
		for (let end = lines.length - 1; end > start; end--) {
			if (lines[end].trimEnd() !== '}') continue;
			try {
				const parsed: unknown = JSON.parse(lines.slice(start, end + 1).join('\n'));
				if (isRun(parsed)) return parsed;
			} catch {
				// not this span; try a shorter one
			}
		}
	}
	throw new Error(`No execution result found in the n8n output:\n${stdout.slice(-4000)}`);
}

/** The items a node put on one of its outputs in its last run. */
export function nodeOutput(run: N8nRun, nodeName: string, outputIndex = 0): Array<Record<string, unknown>> {
	const runs = run.data.resultData.runData[nodeName];
	if (!runs || runs.length === 0) {
		throw new Error(`Node "${nodeName}" did not run; nodes that ran: ${Object.keys(run.data.resultData.runData).join(', ')}`);
	}
	const last = runs[runs.length - 1];
	if (last.error) throw new Error(`Node "${nodeName}" failed: ${last.error.message ?? 'unknown error'}`);
	return (last.data?.main?.[outputIndex] ?? []).map((item) => item.json);
}
