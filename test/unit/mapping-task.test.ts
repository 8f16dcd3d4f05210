import type { Task } from '../../lib/model';
import { buildMappingConfig, canonicalToCrm, crmToCanonical, picklistToCanonical, picklistToCrm, syncedFields, TASK_PICKLISTS } from '../../lib/mapping';

describe('task preset (S11 picklists)', () => {
	const config = buildMappingConfig('task');
	const crmTask = {
		subject: 'Send offer',
		description: 'Version 2 with discount',
		date_start: '2026-11-23',
		due_date: '2026-11-30',
		taskstatus: 'In Progress',
		taskpriority: 'High',
	};

	it('maps vtiger task fields to the canonical task', () => {
		expect(crmToCanonical('task', crmTask, config)).toEqual({
			subject: 'Send offer',
			body: 'Version 2 with discount',
			startDate: '2026-11-23',
			dueDate: '2026-11-30',
			status: 'inProgress',
			priority: 'high',
		});
	});

	it.each([
		['Not Started', 'notStarted'],
		['In Progress', 'inProgress'],
		['Completed', 'completed'],
		['Pending Input', 'waitingOnOthers'],
		['Deferred', 'deferred'],
		['Planned', 'notStarted'],
		['completed', 'completed'],
		['Something else', 'notStarted'],
	])('status %s → %s', (crm, canonical) => {
		expect(crmToCanonical('task', { subject: 'x', taskstatus: crm }, config).status).toBe(canonical);
	});

	it.each([
		['notStarted', 'Not Started'],
		['inProgress', 'In Progress'],
		['completed', 'Completed'],
		['waitingOnOthers', 'Pending Input'],
		['deferred', 'Deferred'],
	] as const)('status %s → %s', (canonical, crm) => {
		expect(canonicalToCrm('task', { subject: 'x', status: canonical }, config).taskstatus).toBe(crm);
	});

	it('priority High/Medium/Low ⇄ high/normal/low', () => {
		for (const [crm, canonical] of [
			['High', 'high'],
			['Medium', 'normal'],
			['Low', 'low'],
		] as const) {
			expect(crmToCanonical('task', { subject: 'x', taskpriority: crm }, config).priority).toBe(canonical);
			expect(canonicalToCrm('task', { subject: 'x', priority: canonical }, config).taskpriority).toBe(crm);
		}
	});

	it('keeps a CRM value that means the same (Planned stays Planned), and round-trips', () => {
		const planned = { ...crmTask, taskstatus: 'Planned', taskpriority: 'Medium' };
		const task = crmToCanonical('task', planned, config);
		expect(task.status).toBe('notStarted');
		expect(canonicalToCrm('task', task, config, { existing: planned })).toEqual(planned);
		expect(canonicalToCrm('task', { ...task, status: 'completed' }, config, { existing: planned }).taskstatus).toBe('Completed');
		expect(canonicalToCrm('task', crmToCanonical('task', crmTask, config), config)).toEqual(crmTask);
	});

	it('a builder can override a picklist entry (S11: CRM "overdue" ↔ notStarted)', () => {
		const custom = buildMappingConfig('task', {
			picklists: { taskStatus: { entries: [{ crm: 'overdue', canonical: 'notStarted' }] } },
		});
		expect(crmToCanonical('task', { subject: 'x', taskstatus: 'Overdue' }, custom).status).toBe('notStarted');
		expect(canonicalToCrm('task', { subject: 'x', status: 'notStarted' }, custom).taskstatus).toBe('overdue');
		// the preset's other entries still apply
		expect(canonicalToCrm('task', { subject: 'x', status: 'deferred' }, custom).taskstatus).toBe('Deferred');
		const replaced = buildMappingConfig('task', {
			picklists: {
				taskStatus: {
					replace: true,
					entries: [
						{ crm: 'Open', canonical: 'notStarted' },
						{ crm: 'Done', canonical: 'completed' },
					],
					fallbackCrm: 'Open',
				},
			},
		});
		expect(canonicalToCrm('task', { subject: 'x', status: 'deferred' }, replaced).taskstatus).toBe('Open');
		expect(crmToCanonical('task', { subject: 'x', taskstatus: 'Deferred' }, replaced).status).toBe('notStarted');
	});

	it('picklist lookups are case-insensitive and honour fallbacks', () => {
		expect(picklistToCanonical(TASK_PICKLISTS.taskStatus, ' pending input ')).toBe('waitingOnOthers');
		expect(picklistToCrm(TASK_PICKLISTS.taskPriority, 'urgent')).toBe('Medium');
		expect(picklistToCrm({ entries: [] }, 'x')).toBeUndefined();
	});

	it('syncs subject, body, dates, status and priority', () => {
		expect(syncedFields('task', config)).toEqual(['body', 'dueDate', 'priority', 'startDate', 'status', 'subject']);
		const task: Task = { subject: 'x', completedAt: '2026-11-23T10:00:00Z' };
		expect('completedAt' in canonicalToCrm('task', task, config)).toBe(false);
	});
});
