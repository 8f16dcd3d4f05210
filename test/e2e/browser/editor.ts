/**
 * n8n 2.40's editor as an admin uses it, through the elements' data-test-id attributes: owner setup,
 * the credential dialog, Import from file, the canvas (node issue markers), the node details view
 * and Execute workflow. Every step can leave a screenshot in the artifacts folder.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import type { Locator, Page } from 'playwright-core';

export interface Owner {
	email: string;
	firstName: string;
	lastName: string;
	password: string;
}

export interface CanvasNode {
	name: string;
	/** n8n's red issue triangles on the node (`[data-test-id="node-issues"]`). */
	issueMarkers: number;
	/** Deactivated nodes show a power icon and never an issue marker. */
	disabled: boolean;
}

export interface SavedWorkflow {
	id: string;
	name: string;
	nodes: Array<{ name: string; type: string; credentials?: Record<string, { id: string | null; name: string }> }>;
}

export interface OutputTable {
	headers: string[];
	rows: string[][];
}

export interface CredentialResult {
	/** "Connection tested successfully", or the error text n8n shows above the form. */
	testResult: string;
	ok: boolean;
}

const UI_TIMEOUT_MS = 30_000;

export class N8nEditor {
	private shots = 0;

	constructor(
		readonly page: Page,
		readonly baseUrl: string,
		private readonly artifactsDir: string,
	) {
		page.setDefaultTimeout(UI_TIMEOUT_MS);
	}

	/** A numbered full-window screenshot, `NN-<step>.png`; returns its path. */
	async screenshot(step: string): Promise<string> {
		await mkdir(this.artifactsDir, { recursive: true });
		this.shots += 1;
		const file = path.join(this.artifactsDir, `${String(this.shots).padStart(2, '0')}-${step}.png`);
		await this.page.screenshot({ path: file });
		return file;
	}

	/** Runs a step; when it fails, keeps a screenshot of what the editor showed (`NN-failed-<step>.png`). */
	async step<T>(name: string, run: () => Promise<T>): Promise<T> {
		try {
			return await run();
		} catch (error) {
			await this.screenshot(`failed-${name}`).catch(() => undefined);
			throw error;
		}
	}

	/** The first-start form ("Set up owner account"); afterwards n8n signs the owner in. */
	async setUpOwner(owner: Owner): Promise<void> {
		await this.page.goto(`${this.baseUrl}/setup`);
		const form = this.page.getByTestId('setup-form');
		for (const field of ['email', 'firstName', 'lastName', 'password'] as const) {
			await form.getByTestId(field).locator('input').fill(owner[field]);
		}
		await this.screenshot('owner-setup');
		await this.page.getByTestId('form-submit-button').click();
		await this.page.waitForURL((url) => !url.pathname.startsWith('/setup'));
	}

	/** Credentials → Create credential → the type → the form (`fill`) → Save, which runs n8n's Test. */
	async createCredential(typeDisplayName: string, fill: (form: CredentialForm) => Promise<void>, step: string): Promise<CredentialResult> {
		await this.page.goto(`${this.baseUrl}/home/credentials/create`);
		await this.page.getByTestId('new-credential-type-select').click();
		await this.page.keyboard.type(typeDisplayName);
		await this.page
			.getByTestId('new-credential-type-select-option')
			.filter({ hasText: new RegExp(`^${escapeRegExp(typeDisplayName)}$`) })
			.first()
			.click();
		await this.page.getByTestId('new-credential-type-button').click();
		const modal = this.page.getByTestId('editCredential-modal');
		await modal.waitFor();
		await fill(new CredentialForm(this.page, modal));
		await this.page.getByTestId('credential-save-button').click();
		const success = modal.getByTestId('credentials-config-container-test-success');
		const failure = modal.getByText('Couldn’t connect with these settings');
		await success.or(failure).first().waitFor();
		const ok = await success.isVisible();
		const testResult = ok ? 'Connection tested successfully' : await this.credentialError(modal);
		await this.screenshot(step);
		await modal.locator('.el-dialog__headerbtn, [aria-label="Close"]').first().click();
		await modal.waitFor({ state: 'hidden' });
		return { ok, testResult };
	}

	private async credentialError(modal: Locator): Promise<string> {
		const details = modal.getByText('More details');
		if (await details.isVisible()) await details.click();
		const text = await modal.getByTestId('node-credentials-config-container').innerText();
		return text.split('\n').slice(0, 6).join(' ').trim();
	}

	/**
	 * A new workflow, then the workflow menu's Import → From file; returns the id, once n8n's autosave
	 * has stored the imported nodes (a new workflow exists on the server only from its first save).
	 */
	async importWorkflowFromFile(file: string, nodeCount: number): Promise<string> {
		await this.page.goto(`${this.baseUrl}/workflow/new`);
		await this.page.getByTestId('workflow-menu').click();
		await this.page.getByTestId('workflow-menu-item-import').hover();
		const chooser = this.page.waitForEvent('filechooser');
		await this.page.getByTestId('workflow-menu-item-import-from-file').click();
		await (await chooser).setFiles(file);
		await this.canvasNode()
			.nth(nodeCount - 1)
			.waitFor();
		const id = workflowIdFromUrl(this.page.url());
		await this.waitForSavedWorkflow(id, (saved) => saved.nodes.filter((n) => !n.type.endsWith('.stickyNote')).length >= nodeCount);
		return id;
	}

	/** The workflow as the server has it, through the REST API the editor uses (signed in as the page). */
	async savedWorkflow(id: string): Promise<SavedWorkflow | undefined> {
		const browserId = await this.page.evaluate('localStorage.getItem("n8n-browserId")');
		const res = await this.page.request.get(`${this.baseUrl}/rest/workflows/${id}`, { headers: { 'browser-id': String(browserId) }, failOnStatusCode: false });
		if (res.status() !== 200) return undefined;
		return ((await res.json()) as { data: SavedWorkflow }).data;
	}

	/** Waits for n8n's autosave: until the stored workflow satisfies `done`; returns it. */
	async waitForSavedWorkflow(id: string, done: (saved: SavedWorkflow) => boolean, timeoutMs = 30_000): Promise<SavedWorkflow> {
		const deadline = Date.now() + timeoutMs;
		let saved: SavedWorkflow | undefined;
		while (Date.now() < deadline) {
			saved = await this.savedWorkflow(id);
			if (saved && done(saved)) return saved;
			await this.page.waitForTimeout(500);
		}
		throw new Error(
			`n8n did not save workflow ${id} as expected within ${timeoutMs} ms; stored: ${JSON.stringify(saved?.nodes.map((n) => [n.name, n.credentials]))}`,
		);
	}

	async openWorkflow(id: string): Promise<void> {
		await this.page.goto(`${this.baseUrl}/workflow/${id}`);
		await this.canvasNode().first().waitFor();
	}

	/** Every node on the canvas with its issue markers, once their number has stopped changing. */
	async canvasNodes(expectedCount: number): Promise<CanvasNode[]> {
		await this.canvasNode()
			.nth(expectedCount - 1)
			.waitFor();
		// The markers follow the node's parameter and credential issues, computed after the nodes render.
		let previous = '';
		for (let attempt = 0; attempt < 10; attempt += 1) {
			const nodes = await this.readCanvasNodes();
			const current = JSON.stringify(nodes);
			if (current === previous) return nodes;
			previous = current;
			await this.page.waitForTimeout(500);
		}
		return JSON.parse(previous) as CanvasNode[];
	}

	private async readCanvasNodes(): Promise<CanvasNode[]> {
		const nodes: CanvasNode[] = [];
		for (const element of await this.canvasNode().all()) {
			nodes.push({
				name: (await element.getAttribute('data-node-name')) ?? '',
				issueMarkers: await element.getByTestId('node-issues').count(),
				// n8n writes "(Deactivated)" under a disabled node's name.
				disabled: (await element.innerText()).includes('(Deactivated)'),
			});
		}
		return nodes;
	}

	/** The text of a node's issue tooltip (hovering its red triangle). */
	async issueText(nodeName: string): Promise<string> {
		await this.canvasNode(nodeName).getByTestId('node-issues').hover();
		// The tooltip opens after 500 ms, titled "Issues:".
		const tooltip = this.page.getByTestId('tooltip-content').filter({ hasText: 'Issues:' }).last();
		await tooltip.waitFor();
		const text = normalizeSpace(await tooltip.innerText());
		await this.page.mouse.move(0, 0);
		return text;
	}

	canvasNode(name?: string): Locator {
		return this.page.locator(name ? `[data-test-id="canvas-node"][data-node-name="${name}"]` : '[data-test-id="canvas-node"]');
	}

	/** Double-click on the node: its details view (parameters, input, output). */
	async openNode(name: string): Promise<NodeView> {
		await this.canvasNode(name).dblclick();
		const ndv = this.page.getByTestId('ndv');
		await ndv.waitFor();
		return new NodeView(this.page, ndv);
	}

	/** The label of the canvas' Execute workflow button, e.g. "Execute workflow from Every 5 Minutes". */
	async executeButtonLabel(): Promise<string> {
		return normalizeSpace(await this.page.getByTestId('execute-workflow-button').innerText());
	}

	/** Presses Execute workflow and waits until the run has finished on the canvas. */
	async executeWorkflow(lastNode: string, timeoutMs: number): Promise<void> {
		await this.page.getByTestId('execute-workflow-button').click();
		await this.canvasNode(lastNode)
			.getByTestId('canvas-node-status-success')
			.or(this.page.getByText('Problem in node'))
			.first()
			.waitFor({ timeout: timeoutMs });
		const problem = this.page.getByText('Problem in node');
		if (await problem.isVisible()) throw new Error(`the run failed in the editor: ${normalizeSpace(await problem.locator('..').innerText())}`);
	}
}

/** The credential dialog's form, by the credential's parameter names. */
export class CredentialForm {
	constructor(
		private readonly page: Page,
		private readonly modal: Locator,
	) {}

	async text(name: string, value: string): Promise<void> {
		await this.modal.getByTestId(`parameter-input-${name}`).locator('input, textarea').first().fill(value);
	}

	async choose(name: string, optionText: string): Promise<void> {
		await pick(this.modal.getByTestId(`parameter-input-${name}`), visibleOption(this.page, optionText));
	}

	async toggle(name: string): Promise<void> {
		await this.modal.getByTestId(`parameter-input-${name}`).click();
	}

	/** The labels of the fields the form shows (for the report: fields that do not apply). */
	async labels(): Promise<string[]> {
		return (await this.modal.getByTestId('credential-connection-parameter').allInnerTexts()).map((t) => normalizeSpace(t.replace(/Fixed\s*Expression/g, '')));
	}
}

/** The node details view. */
export class NodeView {
	constructor(
		private readonly page: Page,
		readonly root: Locator,
	) {}

	/** The credential the node's credential select shows, per slot label ("Credential for CRM API"). */
	async credentials(): Promise<string[]> {
		const values: string[] = [];
		for (const input of await this.root.getByTestId('node-credentials-select').locator('input').all()) values.push(normalizeSpace(await input.inputValue()));
		return values;
	}

	async credentialSlotCount(): Promise<number> {
		return await this.root.getByTestId('node-credentials-slot').count();
	}

	/**
	 * Picks a credential in every credential slot that is still empty, the first of `known` its list
	 * offers (a slot lists only credentials of its type); returns "slot label: picked name" per slot filled.
	 */
	async pickMissingCredentials(known: readonly string[]): Promise<string[]> {
		const picked: string[] = [];
		for (const slot of await this.root.getByTestId('node-credentials-slot').all()) {
			const select = slot.getByTestId('node-credentials-select');
			if ((await select.locator('input').first().inputValue()) !== '') continue;
			// An option reads "<name> <type>"; the list also offers "Create new credential".
			const options = this.page.locator('.el-select-dropdown__item:visible');
			const option = known
				.map((name) => options.filter({ hasText: name }))
				.reduce((a, b) => a.or(b))
				.first();
			await pick(select, option);
			picked.push(`${normalizeSpace(await slot.getByTestId('credentials-label').innerText())}: ${await select.locator('input').first().inputValue()}`);
		}
		return picked;
	}

	async setText(name: string, value: string): Promise<void> {
		const input = this.root.getByTestId(`parameter-input-${name}`).locator('input, textarea').first();
		await input.fill(value);
		await input.blur();
	}

	async choose(name: string, optionText: string): Promise<void> {
		await pick(this.root.getByTestId(`parameter-input-${name}`), visibleOption(this.page, optionText));
	}

	/** The output panel's table view: the column headers and the rows, cell texts as shown. */
	async outputTable(): Promise<OutputTable> {
		const panel = this.root.getByTestId('output-panel');
		const table = panel.locator('table').first();
		await table.waitFor();
		const headers = (await table.locator('thead th').allInnerTexts()).map(normalizeSpace).filter((h) => h !== '');
		const rows: string[][] = [];
		for (const row of await table.locator('tbody tr').all()) rows.push((await row.locator('td').allInnerTexts()).map(normalizeSpace));
		return { headers, rows };
	}

	async close(): Promise<void> {
		await this.root.getByTestId('ndv-close-button').click();
		await this.root.waitFor({ state: 'hidden' });
	}
}

/**
 * Opens a select and clicks the option. A click that lands while the details view is still opening
 * leaves the list closed, so the select is clicked again until the option shows (not Escape: that
 * would close the details view).
 */
async function pick(select: Locator, option: Locator, attempts = 4): Promise<void> {
	for (let attempt = 1; ; attempt += 1) {
		await select.click();
		try {
			await option.waitFor({ timeout: 5_000 });
			break;
		} catch (error) {
			if (attempt >= attempts) throw error;
		}
	}
	await option.click();
}

function visibleOption(page: Page, text: string): Locator {
	return page.locator('.el-select-dropdown__item:visible, [role="option"]:visible').filter({ hasText: text }).first();
}

function workflowIdFromUrl(url: string): string {
	const match = /\/workflow\/([A-Za-z0-9]+)/.exec(new URL(url).pathname);
	if (!match) throw new Error(`no workflow id in ${url}`);
	return match[1];
}

function normalizeSpace(text: string): string {
	return text.replace(/\s+/g, ' ').trim();
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
