import type { CrmBackend } from '../lib/crm';

/** A small, realistic CRM book of anna's (German companies and people), deterministic. */
const PEOPLE: Array<[string, string, string, string]> = [
	['Jonas', 'Becker', 'Einkauf', 'Becker Maschinenbau GmbH'],
	['Sophie', 'Wagner', 'Geschäftsführung', 'Wagner & Söhne KG'],
	['Lukas', 'Hoffmann', 'IT-Leitung', 'Hoffmann Logistik AG'],
	['Marie', 'Schäfer', 'Vertrieb', 'Schäfer Consulting'],
	['Felix', 'Koch', 'Buchhaltung', 'Becker Maschinenbau GmbH'],
	['Emma', 'Richter', 'Marketing', 'Richter Medien GmbH & Co. KG'],
	['Paul', 'Klein', 'Projektleitung', 'Hoffmann Logistik AG'],
	['Hannah', 'Wolf', 'Personal', 'Wolf Immobilien GmbH'],
];

function day(offset: number): string {
	return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

export async function seedCrmBook(crm: CrmBackend, owner: string): Promise<void> {
	const assignedTo = { type: 'user' as const, id: owner };
	for (const [i, [first, last, department, company]] of PEOPLE.entries()) {
		let account = await crm.findAccountByName(company);
		account ??= await crm.create('accounts', { fields: { accountname: company, website: `https://www.${last.toLowerCase()}.example` }, assignedTo });
		await crm.create('contacts', {
			fields: {
				firstname: first,
				lastname: last,
				department,
				title: i % 2 ? 'Leitung' : 'Sachbearbeitung',
				email: `${first}.${last}@${last.toLowerCase()}.example`.toLowerCase(),
				phone: `+49 221 ${4000 + i * 37}`,
				mobile: `+49 170 ${1200000 + i * 4711}`,
				account_id: account.id,
				mailingcity: ['Köln', 'Düsseldorf', 'Bonn', 'Aachen'][i % 4],
				mailingcountry: 'Deutschland',
			},
			assignedTo,
		});
	}
	const meetings: Array<[string, number, string, string]> = [
		['Jahresgespräch Becker', 1, '09:00:00', '10:30:00'],
		['Workshop Digitalisierung', 3, '13:00:00', '16:00:00'],
		['Angebot Hoffmann besprechen', 6, '08:30:00', '09:00:00'],
		['Messevorbereitung', 10, '10:00:00', '11:00:00'],
	];
	for (const [subject, offset, from, to] of meetings) {
		await crm.create('events', {
			fields: {
				subject,
				activitytype: 'Meeting',
				date_start: day(offset),
				time_start: from,
				due_date: day(offset),
				time_end: to,
				location: 'Köln',
				visibility: 'Public',
			},
			assignedTo,
		});
	}
	await crm.create('events', {
		fields: { subject: 'Rückruf Wagner', activitytype: 'Call', date_start: day(2), time_start: '15:00:00', due_date: day(2), time_end: '15:15:00' },
		assignedTo,
	});
	const tasks: Array<[string, number, string, string]> = [
		['Angebot Becker schreiben', 2, 'Not Started', 'High'],
		['Rechnung Wagner prüfen', 4, 'In Progress', 'Medium'],
		['Präsentation aktualisieren', 7, 'Not Started', 'Low'],
	];
	for (const [subject, offset, taskstatus, taskpriority] of tasks) {
		await crm.create('tasks', { fields: { subject, due_date: day(offset), taskstatus, taskpriority }, assignedTo });
	}
}
