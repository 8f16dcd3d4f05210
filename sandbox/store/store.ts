/**
 * The sandbox's directory and mailboxes: users (with passwords for EWS Basic auth and the
 * OAuth password/code flows) and one Mailbox each. Optionally persisted to a JSON file.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Mailbox, type MailboxSnapshot } from './mailbox';
import { StoreError, type FolderKind, type JournalEntry, type WellKnownFolderName } from './types';

export interface SandboxUser {
	id: string;
	address: string;
	displayName: string;
	password: string;
	/** display names of the default folders */
	locale: 'en' | 'de';
}

const DEFAULT_FOLDERS: Array<{ name: WellKnownFolderName; kind: FolderKind; en: string; de: string; hidden?: boolean }> = [
	{ name: 'inbox', kind: 'mail', en: 'Inbox', de: 'Posteingang' },
	{ name: 'drafts', kind: 'mail', en: 'Drafts', de: 'Entwürfe' },
	{ name: 'sentitems', kind: 'mail', en: 'Sent Items', de: 'Gesendete Elemente' },
	{ name: 'deleteditems', kind: 'mail', en: 'Deleted Items', de: 'Gelöschte Elemente' },
	{ name: 'junkemail', kind: 'mail', en: 'Junk Email', de: 'Junk-E-Mail' },
	{ name: 'outbox', kind: 'mail', en: 'Outbox', de: 'Postausgang' },
	{ name: 'archive', kind: 'mail', en: 'Archive', de: 'Archiv' },
	{ name: 'contacts', kind: 'contacts', en: 'Contacts', de: 'Kontakte' },
	{ name: 'calendar', kind: 'calendar', en: 'Calendar', de: 'Kalender' },
	{ name: 'tasks', kind: 'tasks', en: 'Tasks', de: 'Aufgaben' },
];

/** Deterministic directory object id (GUID format) for an address. */
export function userObjectId(address: string): string {
	const hex = createHash('sha256').update(`user:${address.toLowerCase()}`).digest('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

interface StoreFile {
	version: 1;
	users: SandboxUser[];
	mailboxes: MailboxSnapshot[];
}

export interface SandboxStoreOptions {
	clock?: () => Date;
	/** JSON file the store is loaded from (if it exists) and saved to after writes. */
	persistPath?: string;
	/** delay before a write is saved (ms); default 200 */
	persistDelayMs?: number;
}

/** Emits 'change' (entry: JournalEntry, mailbox: Mailbox) for every write in every mailbox. */
export class SandboxStore extends EventEmitter {
	private users = new Map<string, SandboxUser>();
	private mailboxes = new Map<string, Mailbox>();
	private saveTimer?: NodeJS.Timeout;
	/** Changes on every reset, so delta tokens issued before a reset are rejected. */
	epoch = 1;
	readonly clock: () => Date;

	constructor(private readonly options: SandboxStoreOptions = {}) {
		super();
		this.setMaxListeners(100);
		this.clock = options.clock ?? (() => new Date());
		if (options.persistPath && existsSync(options.persistPath)) this.load(options.persistPath);
	}

	/** Adds a user with an empty mailbox holding the default folders. */
	addUser(input: { address: string; displayName: string; password: string; locale?: 'en' | 'de' }): SandboxUser {
		const address = input.address.toLowerCase();
		if (this.users.has(address)) throw new StoreError('conflict', `User exists: ${address}`);
		const user: SandboxUser = { id: userObjectId(address), address, displayName: input.displayName, password: input.password, locale: input.locale ?? 'en' };
		const mailbox = new Mailbox({ id: user.id, address, displayName: user.displayName }, this.clock);
		const root = mailbox.createFolder({ displayName: 'Top of Information Store', kind: 'mail', wellKnownName: 'msgfolderroot' });
		for (const folder of DEFAULT_FOLDERS) {
			mailbox.createFolder({ parentId: root.id, displayName: folder[user.locale], kind: folder.kind, wellKnownName: folder.name, isHidden: folder.hidden });
		}
		this.users.set(address, user);
		this.attach(mailbox);
		return { ...user };
	}

	listUsers(): SandboxUser[] {
		return [...this.users.values()].map((u) => ({ ...u }));
	}

	/** A user by address (UPN, case-insensitive) or object id. */
	findUser(idOrAddress: string): SandboxUser | undefined {
		const key = idOrAddress.toLowerCase();
		const user = this.users.get(key) ?? [...this.users.values()].find((u) => u.id === key);
		return user ? { ...user } : undefined;
	}

	/** The mailbox of a user by address or object id. */
	mailbox(idOrAddress: string): Mailbox {
		const user = this.findUser(idOrAddress);
		const mailbox = user && this.mailboxes.get(user.address);
		if (!mailbox) throw new StoreError('notFound', `The mailbox does not exist: ${idOrAddress}`);
		return mailbox;
	}

	checkPassword(address: string, password: string): SandboxUser | undefined {
		const user = this.findUser(address);
		return user && user.password === password ? user : undefined;
	}

	/** Removes every user and mailbox. */
	reset(): void {
		for (const mailbox of this.mailboxes.values()) mailbox.removeAllListeners('change');
		this.users.clear();
		this.mailboxes.clear();
		this.epoch++;
		this.scheduleSave();
	}

	save(path = this.options.persistPath): void {
		if (!path) return;
		const file: StoreFile = { version: 1, users: this.listUsers(), mailboxes: [...this.mailboxes.values()].map((m) => m.snapshot()) };
		writeFileSync(`${path}.tmp`, JSON.stringify(file));
		renameSync(`${path}.tmp`, path);
	}

	load(path: string): void {
		const file = JSON.parse(readFileSync(path, 'utf8')) as StoreFile;
		if (file.version !== 1) throw new Error(`unsupported sandbox store file version ${String(file.version)}`);
		this.reset();
		for (const user of file.users) this.users.set(user.address, user);
		for (const snapshot of file.mailboxes) this.attach(Mailbox.restore(snapshot, this.clock));
	}

	/** Saves pending changes now and stops the save timer. */
	close(): void {
		if (this.saveTimer) {
			clearTimeout(this.saveTimer);
			this.saveTimer = undefined;
			this.save();
		}
	}

	private attach(mailbox: Mailbox): void {
		this.mailboxes.set(mailbox.address, mailbox);
		mailbox.on('change', (entry: JournalEntry) => {
			this.emit('change', entry, mailbox);
			this.scheduleSave();
		});
	}

	private scheduleSave(): void {
		if (!this.options.persistPath || this.saveTimer) return;
		this.saveTimer = setTimeout(() => {
			this.saveTimer = undefined;
			this.save();
		}, this.options.persistDelayMs ?? 200);
		this.saveTimer.unref();
	}
}
