// Preloaded (`node --require`) into the n8n processes the queue-mode harness starts: when the process
// that started them (jest, the bench) is gone — killed, crashed, a timeout — they stop too, so no worker
// outlives its test. The harness passes its pid in N8N_E2E_PARENT_PID.
'use strict';
const parent = Number(process.env.N8N_E2E_PARENT_PID);
if (parent > 0) {
	const timer = setInterval(() => {
		try {
			process.kill(parent, 0);
		} catch {
			clearInterval(timer);
			process.kill(process.pid, 'SIGTERM');
			setTimeout(() => process.exit(1), 15000).unref();
		}
	}, 1000);
	timer.unref();
}
