/**
 * Named seeds. "default": tenant contoso, users anna@ and ben@contoso.example (password
 * Passw0rd!), empty mailboxes. "demo": the same with generated German and English data.
 */
import type { SandboxStore } from '../store';
import { generateContacts, generateEvents, generateMessages, generateTasks, type GeneratorOptions } from './generators';

export const DEFAULT_PASSWORD = 'Passw0rd!';
export const DEFAULT_USERS = [
	{ address: 'anna@contoso.example', displayName: 'Anna Schmidt', locale: 'de' as const },
	{ address: 'ben@contoso.example', displayName: 'Ben Carter', locale: 'en' as const },
];

export const SEED_NAMES = ['default', 'empty', 'demo'] as const;
export type SeedName = (typeof SEED_NAMES)[number];

export function addDefaultUsers(store: SandboxStore): void {
	for (const user of DEFAULT_USERS) if (!store.findUser(user.address)) store.addUser({ ...user, password: DEFAULT_PASSWORD });
}

export interface GenerateRequest extends GeneratorOptions {
	mailbox: string;
	contacts?: number;
	events?: number;
	tasks?: number;
	messages?: number;
	/** folder ids or well-known names; defaults: contacts, calendar, tasks, inbox */
	folders?: { contacts?: string; calendar?: string; tasks?: string; messages?: string };
}

export async function generate(store: SandboxStore, request: GenerateRequest): Promise<Record<string, string[]>> {
	const mailbox = store.mailbox(request.mailbox);
	const folder = (id: string | undefined, fallback: string): string => mailbox.requireFolder(id ?? fallback).id;
	const result: Record<string, string[]> = {};
	if (request.contacts) result.contacts = generateContacts(mailbox, folder(request.folders?.contacts, 'contacts'), request.contacts, request);
	if (request.events) result.events = generateEvents(mailbox, folder(request.folders?.calendar, 'calendar'), request.events, request);
	if (request.tasks) result.tasks = generateTasks(mailbox, folder(request.folders?.tasks, 'tasks'), request.tasks, request);
	if (request.messages) result.messages = await generateMessages(mailbox, folder(request.folders?.messages, 'inbox'), request.messages, request);
	return result;
}

export async function applySeed(store: SandboxStore, name: string): Promise<void> {
	if (!(SEED_NAMES as readonly string[]).includes(name)) throw new Error(`unknown seed '${name}' (known: ${SEED_NAMES.join(', ')})`);
	if (name === 'empty') return;
	addDefaultUsers(store);
	if (name === 'demo') {
		await generate(store, { mailbox: 'anna@contoso.example', locale: 'de', seed: 1, contacts: 25, events: 12, tasks: 10, messages: 10 });
		await generate(store, { mailbox: 'ben@contoso.example', locale: 'en', seed: 2, contacts: 25, events: 12, tasks: 10, messages: 10 });
	}
}
